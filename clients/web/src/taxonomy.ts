// The commodity taxonomy (GET /api/categories), loaded once per page load and shared by every page.
import { useEffect, useState } from 'react';
import { api, type Category } from './api';

let cached: Promise<Category[]> | null = null;

function loadCategories(): Promise<Category[]> {
  if (!cached) {
    cached = api.categories().catch((e: unknown) => {
      cached = null; // try again next time
      throw e;
    });
  }
  return cached;
}

export function useCategories(): { categories: Category[] | null; error: unknown } {
  const [categories, setCategories] = useState<Category[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    loadCategories()
      .then((c) => live && setCategories(c ?? []))
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, []);
  return { categories, error };
}

export function isLeaf(c: Category): boolean {
  return c.hsCode !== null && c.hsCode !== undefined && c.hsCode !== '';
}

/** Every leaf with the groups above it, in the taxonomy's order. */
export function leavesOf(tree: readonly Category[]): { leaf: Category; path: Category[] }[] {
  const out: { leaf: Category; path: Category[] }[] = [];
  const walk = (nodes: readonly Category[], path: Category[]) => {
    for (const node of nodes) {
      if (isLeaf(node)) out.push({ leaf: node, path });
      if (node.children?.length) walk(node.children, [...path, node]);
    }
  };
  walk(tree, []);
  return out;
}

export function findCategory(tree: readonly Category[], id: string | null | undefined): Category | undefined {
  if (!id) return undefined;
  for (const node of tree) {
    if (node.id === id) return node;
    const found = node.children ? findCategory(node.children, id) : undefined;
    if (found) return found;
  }
  return undefined;
}
