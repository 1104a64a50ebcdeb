#!/usr/bin/env python
"""Check that the DSM wire contract, the scope guide and the code agree.

    check_contract.py [--root DIR]

Fails (exit 1, one line per problem) when:

- an assumption ID (``A1``, ``R1``, ...) is defined in docs/dsm-api-contract.md but not in the
  "Assumptions" list of docs/docsite/rst/guide_scope.rst, or the other way round, or is defined
  twice in one of them;
- a citation such as "contract section 6", "contract 6.8", "contract sections 1, 2 and 4" or
  "contract 6.8/6.9" in plugins/, roles/, tests/ or docs/ names a section that is no heading
  of docs/dsm-api-contract.md;
- a text there names an assumption ("assumption A9", "assumptions A8 to A11") that the
  contract does not define.

An ID is defined in the contract by a bold ``**A1**`` and in the guide by a bold ``**A1.**``
at the start of a line. Standard library only; prints a one-line summary when all is well.
"""

from __future__ import annotations

import argparse
import bisect
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONTRACT = os.path.join('docs', 'dsm-api-contract.md')
GUIDE = os.path.join('docs', 'docsite', 'rst', 'guide_scope.rst')
SCANNED = ('plugins', 'roles', 'tests', 'docs')
# Never scanned: generated or third-party output.
SKIP_DIRS = frozenset(('__pycache__', '.pytest_cache', '.hypothesis', 'output', 'node_modules'))
MAX_BYTES = 2 * 1024 * 1024

HEADING_RE = re.compile(r'^#+\s*(\d+(?:\.\d+)*)[.\s]', re.MULTILINE)
CONTRACT_ID_RE = re.compile(r'\*\*([AR][0-9]{1,3})\*\*')
GUIDE_ID_RE = re.compile(r'^\*\*([AR][0-9]{1,3})\.\*\*', re.MULTILINE)

NUM = r'\d+(?:\.\d+)*'
SEP = r'\s*(?:,|/|-|\u2013|\bto\b|\band\b|\bor\b|&)\s*'
CITATION_RE = re.compile(
    r"\bcontract(?:'s)?\s+(?:\(?part\s+[12]\)?,?\s+)?(?:(?:sections?|§)\s*)?(%s(?:%s%s)*)" % (NUM, SEP, NUM),
    re.IGNORECASE)
ID_REF_RE = re.compile(
    r'\b[Aa]ssumptions?\s+((?:[AR][0-9]{1,3})(?:%s(?:[AR][0-9]{1,3}))*)' % SEP)
# What starts a comment line in the files scanned; removed so a citation may run over two lines.
COMMENT_PREFIX_RE = re.compile(r'^\s*(?:#+|//|\*(?!\*)|--|;+)?\s*')


def read_text(path):
    try:
        if os.path.getsize(path) > MAX_BYTES:
            return None
        with open(path, 'rb') as handle:
            data = handle.read()
    except OSError:
        return None
    if b'\0' in data[:4096]:
        return None
    return data.decode('utf-8', 'replace')


def headings(text):
    return set(HEADING_RE.findall(text))


def defined_ids(text, regex):
    """IDs defined in ``text`` by ``regex``, and those defined more than once."""
    seen, twice = set(), set()
    for found in regex.findall(text):
        (twice if found in seen else seen).add(found)
    return seen, twice


def id_key(name):
    return (name[0], int(name[1:]))


def joined_lines(text):
    """The text with line breaks and comment markers turned into single spaces, and the offset of
    each line's start in it (a citation may run over a line break in a comment or docstring)."""
    parts, starts, pos = [], [], 0
    for line in text.splitlines():
        stripped = COMMENT_PREFIX_RE.sub('', line, count=1)
        starts.append(pos)
        parts.append(stripped)
        pos += len(stripped) + 1
    return ' '.join(parts), starts


def _split_last(number):
    """'6.8' -> ('6.', 8); '7' -> ('', 7)."""
    prefix, dot, last = number.rpartition('.')
    return prefix + dot, int(last)


def expand(numbers_text):
    """Section numbers of a citation: '1, 2 and 4' -> 1, 2, 4; '1-7' -> 1..7; '6.6 / 6.7' -> 6.6, 6.7."""
    tokens = re.findall(r'%s|-|\u2013|\bto\b' % NUM, numbers_text, re.IGNORECASE)
    out = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if i + 2 < len(tokens) and tokens[i + 1].lower() in ('-', '\u2013', 'to') and re.match(NUM, tokens[i + 2]):
            low, high = token, tokens[i + 2]
            low_prefix, low_last = _split_last(low)
            high_prefix, high_last = _split_last(high)
            if low_prefix == high_prefix and 0 <= high_last - low_last < 100:
                out.extend('%s%d' % (low_prefix, n) for n in range(low_last, high_last + 1))
            else:
                out.extend((low, high))
            i += 3
            continue
        if re.match(NUM, token):
            out.append(token)
        i += 1
    return out


def expand_ids(ids_text):
    """IDs named by 'A8 to A11', 'A15, A17 and A18', 'R1-R3'."""
    tokens = re.findall(r'[AR][0-9]{1,3}|-|\u2013|\bto\b', ids_text)
    out = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if (i + 2 < len(tokens) and tokens[i + 1] in ('-', '\u2013', 'to') and tokens[i + 2][0] == token[0]
                and token[0] in 'AR' and 0 <= int(tokens[i + 2][1:]) - int(token[1:]) < 100):
            out.extend('%s%d' % (token[0], n) for n in range(int(token[1:]), int(tokens[i + 2][1:]) + 1))
            i += 3
            continue
        if token[0] in 'AR':
            out.append(token)
        i += 1
    return out


def scanned_files(root):
    for top in SCANNED:
        base = os.path.join(root, top)
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith('.'))
            for name in sorted(filenames):
                if name.endswith(('.pyc', '.png', '.jpg', '.gz', '.tar', '.zip', '.pem')):
                    continue
                yield os.path.join(dirpath, name)


def check(root):
    """``(problems, summary)`` for the repository at ``root``: every problem as one line (none when
    all agree), and a one-line account of what was checked."""
    problems = []
    contract_text = read_text(os.path.join(root, CONTRACT))
    guide_text = read_text(os.path.join(root, GUIDE))
    if contract_text is None:
        return ['%s: missing or unreadable' % CONTRACT], ''
    if guide_text is None:
        return ['%s: missing or unreadable' % GUIDE], ''

    sections = headings(contract_text)
    if not sections:
        problems.append('%s: no numbered heading (such as "## 6. ..." or "### 6.8 relink")' % CONTRACT)

    contract_ids, contract_twice = defined_ids(contract_text, CONTRACT_ID_RE)
    guide_ids, guide_twice = defined_ids(guide_text, GUIDE_ID_RE)
    for name in sorted(contract_twice, key=id_key):
        problems.append('%s: %s is defined more than once' % (CONTRACT, name))
    for name in sorted(guide_twice, key=id_key):
        problems.append('%s: %s is defined more than once' % (GUIDE, name))
    for name in sorted(contract_ids - guide_ids, key=id_key):
        problems.append('%s: %s is in the contract but not in the Assumptions list of the scope guide' % (GUIDE, name))
    for name in sorted(guide_ids - contract_ids, key=id_key):
        problems.append('%s: %s is in the scope guide but not in the contract' % (CONTRACT, name))

    cited = 0
    for path in scanned_files(root):
        text = read_text(path)
        if not text or ('ontract' not in text and 'ssumption' not in text):
            continue
        rel = os.path.relpath(path, root)
        joined, starts = joined_lines(text)
        for match in CITATION_RE.finditer(joined):
            line = bisect.bisect_right(starts, match.start())
            for number in expand(match.group(1)):
                cited += 1
                if number not in sections:
                    problems.append('%s:%d: "%s" cites section %s, which is no heading of %s'
                                    % (rel, line, match.group(0).strip(), number, CONTRACT))
        for match in ID_REF_RE.finditer(joined):
            line = bisect.bisect_right(starts, match.start())
            for name in expand_ids(match.group(1)):
                if name not in contract_ids:
                    problems.append('%s:%d: "%s" names %s, which %s does not define'
                                    % (rel, line, match.group(0).strip(), name, CONTRACT))
    summary = ('%d sections, %d assumption IDs (%d A, %d R) in both documents, %d section citations checked'
               % (len(sections), len(contract_ids), sum(1 for n in contract_ids if n[0] == 'A'),
                  sum(1 for n in contract_ids if n[0] == 'R'), cited))
    return problems, summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--root', default=REPO, help='repository root (default: this repository)')
    args = parser.parse_args(argv)
    problems, summary = check(args.root)
    if problems:
        for problem in problems:
            print(problem)
        print('check_contract: %d problem(s)' % len(problems), file=sys.stderr)
        return 1
    print('check_contract: ok (%s)' % summary)
    return 0


if __name__ == '__main__':
    sys.exit(main())
