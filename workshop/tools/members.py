#!/usr/bin/env python3
"""Prints members of the JSON object on stdin, one "name: value" a line:
members.py NAME...   (a dotted name reaches inside: keys.0.kid)"""
import json
import sys

document = json.load(sys.stdin)
for name in sys.argv[1:]:
    value = document
    for part in name.split("."):
        value = value[int(part)] if isinstance(value, list) else value.get(part)
        if value is None:
            break
    print(f"{name}: {value if isinstance(value, str) else json.dumps(value)}")
