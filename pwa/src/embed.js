// The page `/embed?commune=…` for sites that cannot add a script: the widget
// <balade-circuits>, its attributes taken from the query, in a page meant for an iframe.

/** The widget's attributes a query may set (the others are ignored). */
const ATTRIBUTES = ['commune', 'intercommunality', 'theme', 'difficulty', 'type', 'practice', 'limit', 'lang'];

const params = new URLSearchParams(location.search);
const lang = params.get('lang');
if (lang === 'en' || lang === 'fr') document.documentElement.lang = lang;

const widget = document.createElement('balade-circuits');
for (const name of ATTRIBUTES) {
  const value = params.get(name);
  if (value) widget.setAttribute(name, value);
}
document.getElementById('embed')?.append(widget);

// The widget's own file, as other sites load it; it defines the element when it runs.
const src = new URL('/widget/v1/balade-circuits.js', location.href).href;
import(/* @vite-ignore */ src);
