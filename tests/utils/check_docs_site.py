#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check the HTML documentation site that tests/utils/docs_site.sh built.

    check_docs_site.py [--links-only] [SITE_DIR]      (default build/docs)

1. Links: every relative ``href`` and ``src`` of every page points at a file of the site, and its
   ``#fragment`` at an ``id`` (or ``name``) of that page. External links are not followed, nor the
   theme's logo link to ``/`` (the root of the server the site is published on).
2. Unless --links-only: the index page, a module page, a role page, a filter page, the AWX guide
   and the changelog open in headless Chromium (Debian's chromium; installed with apt-get when
   missing and running as root); the index pages and the module page are also screenshot into
   SITE_DIR/../docs-check/ (to look at). Their rendered text
   must have the page's title, the index its lists of modules and roles, the module page its
   options table with every option of the module's argument spec, and no antsibull-docs error
   text ("Error", "Cannot find", "ERROR").

Exit status 0 when everything holds, 1 with a list of problems otherwise.
"""

from __future__ import annotations

import html.parser
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
CHROMIUM = '/usr/bin/chromium'
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync',
         '--hide-scrollbars', '--window-size=1280,2400']
# pages also screenshot (into SITE_DIR/../docs-check/, to look at); every page is rendered
SCREENSHOTS = ('index.html', 'storage_module.html')
# text antsibull-docs or Sphinx put on a page that failed to build
ERROR_TEXT = ('Cannot find ', 'The documentation for the ', 'ERROR:', 'Traceback', 'Unknown interpreted text role',
              'Error: ', 'could not be parsed')


class Page(html.parser.HTMLParser):
    """Links, ids, title and visible text of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []
        self.ids = set()
        self.title = ''
        self.text = []
        self.tables = 0
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ('script', 'style'):
            self._skip += 1
        if tag == 'title':
            self._in_title = True
        if tag == 'table':
            self.tables += 1
        for key in ('id', 'name'):
            if attrs.get(key) and (key == 'id' or tag == 'a'):
                self.ids.add(attrs[key])
        for key in ('href', 'src'):
            if attrs.get(key):
                self.links.append(attrs[key])

    def handle_endtag(self, tag):
        if tag in ('script', 'style') and self._skip:
            self._skip -= 1
        if tag == 'title':
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.text.append(data)

    @property
    def visible(self):
        return ' '.join(' '.join(self.text).split())


def parse(text):
    page = Page()
    page.feed(text)
    page.close()
    return page


def check_links(site):
    """Problems with the internal links of every page of ``site``."""
    problems = []
    pages = {}
    for path in sorted(site.rglob('*.html')):
        pages[path.resolve()] = parse(path.read_text(encoding='utf-8', errors='replace'))
    checked = 0
    for path, page in pages.items():
        for link in page.links:
            parts = urllib.parse.urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(('mailto:', 'javascript:', 'data:')):
                continue
            if link == '/':  # the theme's logo: the root of the web server the site is published on
                continue
            target = path if not parts.path else (path.parent / urllib.parse.unquote(parts.path)).resolve()
            checked += 1
            if target.is_dir():
                target = target / 'index.html'
            if site.resolve() not in target.parents and target != site.resolve():
                problems.append('%s: link %s leaves the site' % (path.relative_to(site.resolve()), link))
                continue
            if not target.exists():
                problems.append('%s: link %s: no such file' % (path.relative_to(site.resolve()), link))
                continue
            fragment = urllib.parse.unquote(parts.fragment)
            if fragment and target.suffix == '.html':
                ids = pages[target].ids if target in pages else set()
                if fragment not in ids:
                    problems.append('%s: link %s: no anchor #%s in %s' % (
                        path.relative_to(site.resolve()), link, fragment, target.name))
    return problems, len(pages), checked


def chromium():
    """Debian's chromium: installed with apt-get when missing (as root), as tests/integration/test_roles.py does."""
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    if os.geteuid() != 0:
        raise SystemExit('check_docs_site: %s is missing; install it (apt-get install chromium)' % CHROMIUM)
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    install = ['apt-get', '-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '-q', '--no-install-recommends', 'chromium']
    if subprocess.run(install, env=env, capture_output=True, check=False, timeout=1800).returncode != 0:
        subprocess.run(['apt-get', '-o', 'DPkg::Lock::Timeout=600', 'update', '-q'], env=env, capture_output=True,
                       check=True, timeout=900)
        subprocess.run(install, env=env, capture_output=True, check=True, timeout=1800)
    return CHROMIUM


def render(browser, page, screenshot=None):
    """The DOM of ``page`` as headless Chromium renders it (after taking a screenshot of it into ``screenshot``)."""
    profile = tempfile.mkdtemp(prefix='syno-docs-chromium-')
    flags = [browser] + FLAGS + ['--user-data-dir=%s' % profile]
    try:
        if screenshot:
            shot = subprocess.run(flags + ['--screenshot=%s' % screenshot, page.as_uri()], capture_output=True,
                                  text=True, timeout=180, check=False)
            if shot.returncode != 0 or not screenshot.exists() or screenshot.stat().st_size < 10000:
                raise AssertionError('chromium could not take a screenshot of %s: %s' % (page, shot.stderr[-1500:]))
        dom = subprocess.run(flags + ['--dump-dom', page.as_uri()], capture_output=True, text=True, timeout=180,
                             check=False)
        if dom.returncode != 0 or '</html>' not in dom.stdout:
            raise AssertionError('chromium could not render %s: %s' % (page, dom.stderr[-1500:]))
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return dom.stdout


def module_options(module):
    """The option names of ``module``'s argument spec (its documentation's options)."""
    sys.path.insert(0, str(REPO / 'build' / 'collections'))
    import yaml

    text = (REPO / 'plugins' / 'modules' / ('%s.py' % module)).read_text()
    start = text.index("DOCUMENTATION = r'''") + len("DOCUMENTATION = r'''")
    doc = yaml.safe_load(text[start:text.index("'''", start)])
    names = set(doc.get('options', {}))
    for fragment in doc.get('extends_documentation_fragment', []):
        if fragment.endswith('._connection'):
            fragment_text = (REPO / 'plugins' / 'doc_fragments' / '_connection.py').read_text()
            begin = fragment_text.index("DOCUMENTATION = r'''") + len("DOCUMENTATION = r'''")
            names |= set(yaml.safe_load(fragment_text[begin:fragment_text.index("'''", begin)])['options'])
    return names


def check_pages(site):
    """Problems with the rendered pages (see the module docstring)."""
    problems = []
    browser = chromium()
    shots = site.parent / ('%s-check' % site.name)
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    base = site / 'collections' / 'syno' / 'activebackup'
    expect = [
        # (page, title words, words the page must show)
        (site / 'index.html', 'syno.activebackup', ['Syno.Activebackup', 'Modules', 'Roles']),
        (base / 'index.html', 'Syno.Activebackup',
         ['Modules', 'facts module', 'storage module', 'Roles', 'report role', 'Filter Plugins',
          'Running in AWX / Automation Platform', 'Changelog']),
        (base / 'storage_module.html', 'syno.activebackup.storage module',
         ['Parameters', 'Return Values', 'Examples', 'share_name', 'validate_certs']),
        (base / 'report_role.html', 'syno.activebackup.report role', ['Entry point', 'activebackup_report_dir']),
        (base / 'docsite' / 'guide_awx.html', 'Running in AWX / Automation Platform',
         ['credential type', 'SYNOLOGY_PASSWORD', 'job slicing', 'execution environment']),
        (base / 'changelog.html', 'Release Notes', ['v1.0.0', 'Release Summary']),
    ]
    filters = sorted(base.glob('*_filter.html'))
    if not filters:
        problems.append('no filter page in %s' % base)
    else:
        expect.append((filters[0], 'filter', ['Input', 'Return Value']))
    for page, title, words in expect:
        if not page.exists():
            problems.append('%s is missing' % page.relative_to(site))
            continue
        try:
            shot = shots / ('%s.png' % page.relative_to(site).as_posix().replace('/', '_'))
            dom = render(browser, page, shot if page.name in SCREENSHOTS else None)
        except AssertionError as exc:
            problems.append(str(exc))
            continue
        rendered = parse(dom)
        text = rendered.visible
        name = page.relative_to(site)
        if title.lower() not in rendered.title.lower():
            problems.append('%s: title %r does not name %r' % (name, rendered.title, title))
        for word in words:
            if word.lower() not in text.lower():
                problems.append('%s: %r is not on the rendered page' % (name, word))
        for error in ERROR_TEXT:
            if error in text:
                problems.append('%s: the rendered page shows %r' % (name, error))
        if page.name == 'storage_module.html':
            if rendered.tables < 2:
                problems.append('%s: %d tables, expected the options and return values tables' % (name, rendered.tables))
            missing = sorted(option for option in module_options('storage') if option not in text)
            if missing:
                problems.append('%s: options missing from the table: %s' % (name, ', '.join(missing)))
    return problems, len(expect)


def main(argv):
    links_only = '--links-only' in argv
    args = [arg for arg in argv if arg != '--links-only']
    site = Path(args[0] if args else REPO / 'build' / 'docs').resolve()
    if not (site / 'index.html').exists():
        print('check_docs_site: no %s (run tests/utils/docs_site.sh)' % (site / 'index.html'), file=sys.stderr)
        return 1
    problems, pages, links = check_links(site)
    rendered = 0
    if not links_only:
        page_problems, rendered = check_pages(site)
        problems += page_problems
    if problems:
        for problem in problems:
            print('check_docs_site: ERROR: %s' % problem)
        print('check_docs_site: %s FAILED (%d problem(s))' % (site, len(problems)))
        return 1
    print('check_docs_site: %s ok: %d pages, %d internal links resolve%s' % (
        site, pages, links, '' if links_only else '; %d pages render in headless Chromium' % rendered))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
