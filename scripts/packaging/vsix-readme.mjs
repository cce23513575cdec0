// The README the VSIX ships, made from the repository's README.md: the sections for people who
// work on this repository are left out, and so are the screenshots (the Extensions view shows a
// README with images from https: or data: only, and there is no public repository to point at).
// What remains must not link into the repository: such a link would be dead in the editor.

/** `## ` sections of README.md about developing this repository, not about using the extension. */
export const DEVELOPER_SECTIONS = ['Quick start', 'Engine API', 'Layout', 'Tests', 'Benchmark', 'Releasing', 'Dependencies'];

const IMAGE_LINE = /^\s*!\[[^\]]*\]\([^)]*\)\s*$/;
const LINK = /!?\[([^\]]*)\]\(([^)\s]+)[^)]*\)/g;
const HTML_IMAGE = /<img\b/i;

export function vsixReadme(markdown) {
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  const headings = lines.filter((l) => l.startsWith('## ')).map((l) => l.slice(3).trim());
  for (const section of DEVELOPER_SECTIONS) {
    if (!headings.includes(section)) throw new Error(`README.md has no "## ${section}" section; update DEVELOPER_SECTIONS in scripts/packaging/vsix-readme.mjs.`);
  }
  const kept = [];
  let skipping = false;
  let inCode = false;
  for (const line of lines) {
    if (line.startsWith('```')) inCode = !inCode;
    if (!inCode && line.startsWith('## ')) skipping = DEVELOPER_SECTIONS.includes(line.slice(3).trim());
    if (skipping || (!inCode && IMAGE_LINE.test(line))) continue;
    kept.push(line);
  }
  const text = `${kept.join('\n').replace(/\n{3,}/g, '\n\n').trim()}\n`;
  const problems = [];
  let code = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) code = !code;
    if (code) continue;
    if (HTML_IMAGE.test(line)) problems.push(`an <img> tag: ${line.trim()}`);
    for (const [, , target] of line.matchAll(LINK)) {
      if (!/^(https:|command:|#)/.test(target)) problems.push(`a link to ${target}`);
    }
  }
  if (problems.length) throw new Error(`The VSIX README would have ${problems.join('; ')} (only https:, command: and #anchor links work in the Extensions view).`);
  return text;
}
