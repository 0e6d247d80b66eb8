/** The element an extension page renders into: the `<div id="app">` of its index.html (entrypoints/popup/index.html and its siblings). */
export function pageRoot(): HTMLElement {
  const root = document.getElementById('app');
  if (!root) throw new Error('[captionist] this page has no #app element to render into');
  return root;
}
