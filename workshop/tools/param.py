#!/usr/bin/env python3
"""Prints one query parameter of a URL, decoded: param.py URL NAME"""
import sys
from urllib.parse import parse_qs, urlsplit

url, name = sys.argv[1], sys.argv[2]
values = parse_qs(urlsplit(url).query).get(name)
if not values:
    sys.exit(f"{name} is not in the query of {url}")
print(values[0])
