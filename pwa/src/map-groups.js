// A circuit's markers (start, finish, points of interest) drawn without covering each other:
// those whose 44 px icons would overlap at the current zoom become one group marker showing
// how many they are (marker-groups.js decides which). Activating a group (click, or Enter
// on it) zooms in until it splits; when even the map's last zoom cannot split it, it opens
// the list of its members. Regrouped at every zoom.
import * as L from 'leaflet/dist/leaflet-src.esm.js';
import { h } from './dom.js';
import { t } from './i18n.js';
import { firstZoomWhere, groupOverlapping } from './marker-groups.js';

/** Side of the markers' icons: the 44 px touch target of map.js's pins and dots. */
const MARKER_SIZE = 44;

/**
 * @typedef {object} GroupedEntry
 * @property {L.Marker} marker
 * @property {string} label what the marker is, as its title says ("1. Tour César (Patrimoine)")
 * @property {boolean} poi a point of interest (otherwise the start or the finish)
 */

/** "3 points d'intérêt", or "2 points : Départ, 1 point d'intérêt" when start or finish is in. */
function groupName(entries) {
  const pois = entries.filter((e) => e.poi).length;
  if (pois === entries.length) return t('map.groupPois', { n: pois });
  const places = entries.filter((e) => !e.poi).map((e) => e.label);
  const poiText = pois === 1 ? t('map.onePoi') : pois > 1 ? t('map.groupPois', { n: pois }) : null;
  return t('map.group', { n: entries.length, what: [...places, poiText].filter(Boolean).join(', ') });
}

function groupIcon(n) {
  return L.divIcon({
    className: 'dot dot--group',
    // The name comes from the marker's title ("3 points d'intérêt"), not from the bare count.
    html: `<span class="dot__label" aria-hidden="true">${n}</span>`,
    iconSize: [MARKER_SIZE, MARKER_SIZE],
    iconAnchor: [MARKER_SIZE / 2, MARKER_SIZE / 2],
  });
}

/**
 * Draws `entries`' markers on `layer`, grouped, now and after every zoom.
 * @param {L.Map} map
 * @param {L.LayerGroup} layer
 * @param {GroupedEntry[]} entries
 * @returns {{ reveal: (index: number) => void }} `reveal(i)`: shows entry i's popup, zoomed
 *   in far enough for its marker to stand alone (else the list of its group at the last zoom)
 */
export function groupMarkers(map, layer, entries) {
  // Where each icon's centre is relative to its point (a pin's icon stands above it).
  const offsets = entries.map(({ marker }) => {
    const icon = /** @type {L.DivIcon} */ (marker.options.icon).options;
    const size = L.point(/** @type {L.PointExpression} */ (icon.iconSize ?? [MARKER_SIZE, MARKER_SIZE]));
    const anchor = icon.iconAnchor ? L.point(icon.iconAnchor) : size.divideBy(2);
    return size.divideBy(2).subtract(anchor);
  });
  const everyone = entries.map((_, i) => i);
  /** @param {number[]} indices @param {number} zoom */
  const centres = (indices, zoom) => indices.map((i) => map.project(entries[i].marker.getLatLng(), zoom).add(offsets[i]));
  /** @param {number[]} indices @param {number} zoom */
  const groupsAt = (indices, zoom) => groupOverlapping(centres(indices, zoom), MARKER_SIZE).map((g) => g.map((k) => indices[k]));
  /** @param {number[]} indices @param {number} zoom the point under the middle of their icons */
  const middle = (indices, zoom) => {
    const cs = centres(indices, zoom);
    const sum = cs.reduce((acc, c) => acc.add(c), L.point(0, 0));
    return map.unproject(sum.divideBy(cs.length), zoom);
  };

  /** What is drawn now: a member list ("0,3") → its marker (an entry's own, or a group's). */
  const shown = new Map();
  let listPopup = null;

  /** The list of a group that no zoom can split. */
  function openList(members, at) {
    const name = groupName(members.map((i) => entries[i]));
    const content = h('div', { class: 'popup' }, h('strong', {}, name), h('ul', { class: 'popup__list' }, members.map((i) => h('li', {}, entries[i].label))));
    listPopup = L.popup({ offset: [0, -14] }).setLatLng(at).setContent(content).openOn(map);
  }

  /** The marker drawn for entry `index` (its own, or its group's). */
  const shownFor = (index) => [...shown].find(([key]) => key.split(',').map(Number).includes(index))?.[1];

  function groupMarker(members, zoom) {
    const name = groupName(members.map((i) => entries[i]));
    const marker = L.marker(middle(members, zoom), { icon: groupIcon(members.length), title: name, keyboard: true, riseOnHover: true });
    const activate = () => {
      const splitAt = firstZoomWhere(map.getZoom(), map.getMaxZoom(), (z) => groupsAt(members, z).length > 1);
      if (splitAt === null) {
        openList(members, marker.getLatLng());
        return;
      }
      // Activated from the keyboard: the focus goes on to the first marker of the group
      // rather than being lost with the group's icon.
      const hadFocus = document.activeElement === marker.getElement();
      if (hadFocus) {
        map.once('zoomend', () => /** @type {HTMLElement|undefined} */ (shownFor(members[0])?.getElement())?.focus());
      }
      map.setView(middle(members, splitAt), splitAt);
    };
    marker.on('click', activate);
    // Leaflet makes the icon a focusable role="button" but only turns Enter into a click
    // for markers with a popup: a button is activated by Enter and Space.
    marker.on('keydown', (e) => {
      const key = /** @type {KeyboardEvent} */ (e.originalEvent).key;
      if (key !== 'Enter' && key !== ' ') return;
      e.originalEvent.preventDefault();
      activate();
    });
    return marker;
  }

  function regroup() {
    const zoom = map.getZoom();
    const next = new Map(groupsAt(everyone, zoom).map((members) => [members.join(','), members]));
    for (const [key, marker] of shown) {
      // A group is drawn anew at each zoom: where its icons' middle is changes with it.
      if (!next.has(key) || key.includes(',')) {
        layer.removeLayer(marker);
        shown.delete(key);
      }
    }
    if (listPopup) map.closePopup(listPopup);
    listPopup = null;
    for (const [key, members] of next) {
      if (shown.has(key)) continue;
      const marker = members.length === 1 ? entries[members[0]].marker : groupMarker(members, zoom);
      shown.set(key, marker);
      layer.addLayer(marker);
    }
  }

  map.on('zoomend', regroup);
  map.once('unload', () => map.off('zoomend', regroup));
  regroup();

  return {
    reveal(index) {
      const entry = entries[index];
      if (!entry) return;
      const alone = (z) => groupsAt(everyone, z).some((g) => g.length === 1 && g[0] === index);
      const from = Math.max(map.getZoom(), 15);
      const zoom = alone(from) ? from : (firstZoomWhere(from, map.getMaxZoom(), alone) ?? map.getMaxZoom());
      // Without animation: the map is there (and regrouped) when setView returns. Waiting
      // for an animated move's end would not do: a pan under way (a popup's autopan) ends
      // when setView starts, and its end would be taken for this move's.
      map.setView(entry.marker.getLatLng(), zoom, { animate: false });
      if (layer.hasLayer(entry.marker)) entry.marker.openPopup();
      else openList(groupsAt(everyone, map.getZoom()).find((g) => g.includes(index)) ?? [index], entry.marker.getLatLng());
    },
  };
}
