#!/usr/bin/env python3
"""Synthetic OSM XML extract for benches/import/tourism.sh: N tagged nodes (lodging,
food, viewpoints, heritage, practical services) over Seine-et-Marne, with a name, a
few practical tags and, one in ten, a website; and the same places as a TSV of the
rows a plain loader would store (id, kind tag, name, lon, lat, the tags as JSON), for
the raw sqlite3 comparison. Deterministic.

Usage: synthetic_osm.py N OUT.osm OUT.tsv
"""
import json
import random
import sys
from xml.sax.saxutils import quoteattr

n, osm_path, tsv_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rng = random.Random(20261205)
KINDS = [
    ("tourism", "hotel"), ("tourism", "camp_site"), ("amenity", "restaurant"),
    ("amenity", "cafe"), ("shop", "bakery"), ("tourism", "viewpoint"),
    ("historic", "wayside_cross"), ("amenity", "fuel"), ("amenity", "atm"),
    ("amenity", "pharmacy"), ("shop", "supermarket"), ("amenity", "toilets"),
]
with open(osm_path, "w", encoding="utf-8") as osm, open(tsv_path, "w", encoding="utf-8") as tsv:
    osm.write('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="balade bench">\n')
    for i in range(1, n + 1):
        key, value = KINDS[i % len(KINDS)]
        lat = 48.12 + rng.random() * 1.0
        lon = 2.39 + rng.random() * 1.17
        tags = {key: value, "name": f"Lieu {i} de {value}"}
        if i % 3 == 0:
            tags["opening_hours"] = "Mo-Sa 08:00-19:00"
        if i % 5 == 0:
            tags["wheelchair"] = "yes"
        if i % 10 == 0:
            tags["website"] = f"https://example.org/lieu/{i}"
        osm.write(f'  <node id="{i}" version="1" lat="{lat:.7f}" lon="{lon:.7f}">\n')
        for k, v in tags.items():
            osm.write(f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>\n")
        osm.write("  </node>\n")
        tsv.write(f"node/{i}\t{key}={value}\t{tags['name']}\t{lon:.7f}\t{lat:.7f}\t{json.dumps(tags, ensure_ascii=False)}\n")
    osm.write("</osm>\n")
