// The nodes of the moment (the local archive first, then those of the settings) and the backend
// that speaks to each. The one place that chooses by a node's kind.
import { AnyNode, LOCAL_NODE, StudyFilter } from '../config';
import { readNodes } from '../config';
import type { NodeState } from '../state';
import type { NodeBackend } from './backend';
import type { BackendContext } from './context';
import { DicomwebBackend } from './dicomweb';
import { DimseBackend } from './dimse';
import { LocalArchiveBackend } from './local-archive';

export function createBackend(node: AnyNode, context: BackendContext): NodeBackend {
  switch (node.kind) {
    case 'dimse': return new DimseBackend(node, context);
    case 'dicomweb': return new DicomwebBackend(node, context);
    case 'local': return new LocalArchiveBackend(node, context);
  }
}

export class NodeDirectory {
  constructor(private readonly context: BackendContext, private readonly state: NodeState) {}

  /** The nodes, and one sentence per settings entry left out. */
  read(): { nodes: AnyNode[]; problems: string[] } {
    const { nodes, problems } = readNodes();
    return { nodes: [LOCAL_NODE, ...nodes], problems };
  }

  all(): NodeBackend[] {
    return this.read().nodes.map((n) => this.backend(n));
  }

  /** The node of that name (exactly, else ignoring case). */
  named(name: string): NodeBackend | undefined {
    const nodes = this.read().nodes;
    const node = nodes.find((n) => n.name === name) ?? nodes.find((n) => n.name.toLowerCase() === name.toLowerCase());
    return node && this.backend(node);
  }

  /** The backend of a node as the settings hold it now (a tree element's copy may be older). */
  current(node: AnyNode): NodeBackend {
    return this.named(node.name) ?? this.backend(node);
  }

  backend(node: AnyNode): NodeBackend {
    return createBackend(node, this.context);
  }

  /** The filter a node lists its studies with: Query…'s choice, else its setting. */
  filterOf(node: AnyNode): StudyFilter {
    return this.state.filterOverride(node.name) ?? node.studyFilter;
  }
}
