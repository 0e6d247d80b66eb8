/** The element an extension page renders into: its HTML's `<div id="app">` (entrypoints/<page>/index.html). */
export function pageRoot(): HTMLElement {
  const root = document.getElementById('app');
  if (!root) throw new Error('[captionist] this page has no #app element to render into');
  return root;
}
