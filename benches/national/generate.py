#!/usr/bin/env python3
"""Synthetic national catalogue for benches/national/run.sh: heritage notices (Mérimée
export, Lambert 93), circuits (schema_randonnee GeoJSON, traces of real length) and
species observations (Darwin Core), spread over metropolitan France. Deterministic.

Usage: generate.py OUT_DIR HERITAGE CIRCUITS OBSERVATIONS
"""
import json
import math
import random
import sys

out, n_heritage, n_circuits, n_obs = sys.argv[1], *map(int, sys.argv[2:5])
rng = random.Random(20261205)

# Metropolitan France, roughly: a box, positions kept on land well enough for a bench.
WEST, EAST, SOUTH, NORTH = -4.5, 7.5, 42.6, 50.9


def place():
    return WEST + rng.random() * (EAST - WEST), SOUTH + rng.random() * (NORTH - SOUTH)


with open(f"{out}/heritage.txt", "w", encoding="utf-8") as f:
    f.write("REF|TICO|DENO|COM|INSEE|ZONE|COOR|SCLE|DATE|HIST|PROT|STAT|\n")
    kinds = ["église", "moulin", "lavoir", "château", "croix", "pont", "maison"]
    for i in range(n_heritage):
        x = 150_000 + rng.randrange(850_000)
        y = 6_150_000 + rng.randrange(900_000)
        kind = kinds[i % len(kinds)]
        dep = i % 94 + 1
        dep += dep >= 20  # Corsica is 2A and 2B, not 20
        f.write(
            f"PA{i:08d}|{kind.capitalize()} n° {i}|{kind}|Commune {i % 35000}|"
            f"{dep:02d}{i % 1000:03d}|Lambert93|\"{x};{y}\"|{11 + i % 8}e siècle|"
            f"{1100 + i % 800}|Édifice remarquable, remanié au {12 + i % 7}e siècle.|inscrit MH|"
            "propriété de la commune|\n"
        )

# The importer takes GeoJSON files of 64 MiB at most: circuits go in files of 5,000.
PER_FILE = 5_000
difficulties = ["facile", "moyenne", "difficile"]
themes = ["patrimoine", "nature", "eau", "forêt", "panorama"]
for first in range(0, n_circuits, PER_FILE):
    with open(f"{out}/circuits-{first // PER_FILE:03d}.geojson", "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        for i in range(first, min(first + PER_FILE, n_circuits)):
            lon, lat = place()
            length_m = 5_000 + rng.random() * 15_000
            step_m = 100.0
            heading = rng.random() * 2 * math.pi
            loop = i % 3 != 2
            coords = []
            points = int(length_m / step_m)
            for k in range(points):
                if loop:
                    heading += 2 * math.pi / points + (rng.random() - 0.5) * 0.3
                else:
                    heading += (rng.random() - 0.5) * 0.4
                lon += step_m * math.sin(heading) / (111_320 * math.cos(math.radians(lat)))
                lat += step_m * math.cos(heading) / 110_540
                coords.append([round(lon, 6), round(lat, 6)])
            feature = {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": coords},
                "properties": {
                    "id_local": f"n{i}",
                    "producteur": "national",
                    "nom_itineraire": f"Circuit national {i}",
                    "pratique": "pédestre",
                    "difficulte": difficulties[i % 3],
                    "themes": f"{themes[i % 5]}, {themes[(i + 2) % 5]}",
                    "communes_nom": f"Commune {i % 35000}",
                    "presentation": f"Une boucle de {length_m / 1000:.1f} km à travers la campagne.",
                },
            }
            sep = "," if i > first else ""
            f.write(sep + json.dumps(feature, ensure_ascii=False, separators=(",", ":")) + "\n")
        f.write("]}\n")

with open(f"{out}/observations.tsv", "w", encoding="utf-8") as f:
    f.write(
        "occurrenceID\tscientificName\tvernacularName\ttaxonRank\tkingdom\tclass\tfamily\t"
        "taxonID\teventDate\tdecimalLatitude\tdecimalLongitude\tcoordinateUncertaintyInMeters\t"
        "individualCount\tbasisOfRecord\n"
    )
    rows = []
    for i in range(n_obs):
        taxon = rng.randrange(5000)
        lon, lat = place()
        rows.append(
            f"obs-{i}\tGenus{taxon // 10} species{taxon}\tEspèce {taxon}\tspecies\tAnimalia\t"
            f"Aves\tFamily{taxon // 100}\t{100000 + taxon}\t20{10 + i % 15}-0{1 + i % 9}-1{i % 9}\t"
            f"{lat:.5f}\t{lon:.5f}\t{10 + i % 90}\t{1 + i % 5}\tHumanObservation\n"
        )
        if len(rows) == 100_000:
            f.writelines(rows)
            rows.clear()
    f.writelines(rows)
