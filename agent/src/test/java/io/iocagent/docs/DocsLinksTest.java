package io.iocagent.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link and image in the project's Markdown ({@code README.md} and the other
 * top-level {@code *.md}, and {@code docs/}, {@code deploy/}, {@code dashboards/} recursively)
 * points at a file or directory that exists, and every {@code #anchor} into a Markdown file names
 * one of its headings by GitHub's slug rules. External links ({@code http:}, {@code https:},
 * {@code mailto:}) are not fetched. Links in fenced code blocks and inline code are not links.
 * A failure lists each broken link as {@code file:line: link — why}.
 */
class DocsLinksTest {

    /** Trees searched for Markdown, relative to the repository root (absent ones are skipped). */
    private static final List<String> TREES = List.of("docs", "deploy", "dashboards");

    /** {@code [text](target)} and {@code ![alt](target)}; target up to the first blank or ')' (or inside <>). */
    private static final Pattern INLINE = Pattern.compile("!?\\[(?:[^\\[\\]]|\\[[^\\[\\]]*\\])*\\]\\(\\s*(<[^>]*>|[^)\\s]+)(?:\\s+[\"'(][^)]*)?\\)");
    /** {@code [label]: target} reference definitions. */
    private static final Pattern REFERENCE = Pattern.compile("^ {0,3}\\[[^\\]]+\\]:\\s*(<[^>]*>|\\S+)");
    /** {@code href="…"} and {@code src="…"} in inline HTML. */
    private static final Pattern HTML = Pattern.compile("\\b(?:href|src)\\s*=\\s*\"([^\"]*)\"");
    /** Explicit anchors in inline HTML: {@code <a name="x">}, {@code id="x"}. */
    private static final Pattern HTML_ANCHOR = Pattern.compile("\\b(?:name|id)\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern ATX = Pattern.compile("^ {0,3}(#{1,6})(?:[ \\t]+(.*?))?(?:[ \\t]+#+)?[ \\t]*$");
    private static final Pattern SETEXT = Pattern.compile("^ {0,3}(=+|-+)[ \\t]*$");
    private static final Pattern FENCE = Pattern.compile("^ {0,3}(`{3,}|~{3,})");
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

    @Test
    void everyRelativeLinkAndAnchorInTheDocsResolves() throws IOException {
        Path root = repositoryRoot();
        List<Path> files = markdownFiles(root);
        assertTrue(files.contains(root.resolve("README.md")), "README.md not found at " + root);
        List<String> broken = new ArrayList<>();
        Map<Path, Set<String>> anchors = new HashMap<>();
        int checked = 0;
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (Link link : links(lines)) {
                checked++;
                String problem = problem(root, file, link.target(), anchors);
                if (problem != null) {
                    broken.add(root.relativize(file) + ":" + link.line() + ": " + link.target() + " — " + problem);
                }
            }
        }
        assertTrue(checked > 0, "no links found in " + files);
        assertTrue(broken.isEmpty(), broken.size() + " broken link(s) in the Markdown docs:\n  "
                + String.join("\n  ", broken));
    }

    @Test
    void slugsFollowGitHubRules() {
        assertEquals("the-startrestart-verdict", slug("The start/restart verdict"));
        assertEquals("ioc-runner-command-line", slug("`ioc-runner` command line"));
        assertEquals("jmx-reference-domain-epicsioc", slug("JMX reference (domain `epics.ioc`)"));
        assertEquals("metrics-prefix-epics_ioc_-label-ioc", slug("Metrics (prefix `epics_ioc_`, label `ioc`)"));
        assertEquals("why-is-readiness-unknown", slug("Why is Readiness **UNKNOWN**?"));
        assertEquals("see-the-faq", slug("See [the FAQ](faq.md)"));
        assertEquals("dbus-java-522-what-we-learned", slug("dbus-java 5.2.2: what we learned"));
        assertEquals("sources--refresher--snapshot", slug("Sources → refresher → snapshot"));
    }

    @Test
    void repeatedHeadingsGetNumberedSlugs() {
        Set<String> found = headingSlugs(List.of("# Notes", "text", "## Notes", "Notes", "-----", "```", "# Notes", "```"));
        assertEquals(Set.of("notes", "notes-1", "notes-2"), found);
    }

    @Test
    void linksInCodeAreIgnoredAndTitlesStripped() {
        List<Link> found = links(List.of(
                "See [cli](cli.md \"the CLI\") and ![pic](img/a.png).",
                "`[not](a-link.md)` but [ref]: ref-target.md is not a definition here",
                "[x]: defined.md",
                "```",
                "[not](in-a-fence.md)",
                "```",
                "[ext](https://example.org/x.md) <a href=\"html.md#top\">t</a>"));
        assertEquals(List.of("cli.md", "img/a.png", "defined.md", "https://example.org/x.md", "html.md#top"),
                found.stream().map(Link::target).toList());
        assertEquals(List.of(1, 1, 3, 7, 7), found.stream().map(Link::line).toList());
    }

    /** A link target and the 1-based line it is on. */
    record Link(String target, int line) {
    }

    /** Why {@code target}, linked from {@code file}, does not resolve; null when it does. */
    private static String problem(Path root, Path file, String target, Map<Path, Set<String>> anchors) {
        if (SCHEME.matcher(target).find() || target.startsWith("//")) {
            return null; // external: not fetched
        }
        int hash = target.indexOf('#');
        String pathPart = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        int query = pathPart.indexOf('?');
        if (query >= 0) {
            pathPart = pathPart.substring(0, query);
        }
        Path resolved;
        if (pathPart.isEmpty()) {
            resolved = file;
        } else {
            String decoded = URLDecoder.decode(pathPart.replace("+", "%2B"), StandardCharsets.UTF_8);
            resolved = decoded.startsWith("/") ? root.resolve(decoded.substring(1)).normalize()
                    : file.getParent().resolve(decoded).normalize();
            if (!resolved.startsWith(root)) {
                return "points outside the repository";
            }
            if (!Files.exists(resolved)) {
                return "no such file " + root.relativize(resolved);
            }
        }
        if (anchor == null || anchor.isEmpty() || !resolved.getFileName().toString().endsWith(".md")
                || Files.isDirectory(resolved)) {
            return null;
        }
        Set<String> known = anchors.computeIfAbsent(resolved, DocsLinksTest::anchorsOf);
        String wanted = URLDecoder.decode(anchor.replace("+", "%2B"), StandardCharsets.UTF_8);
        return known.contains(wanted) ? null
                : "no heading '#" + wanted + "' in " + root.relativize(resolved);
    }

    private static Set<String> anchorsOf(Path markdown) {
        try {
            List<String> lines = Files.readAllLines(markdown, StandardCharsets.UTF_8);
            Set<String> out = headingSlugs(lines);
            for (String line : lines) {
                Matcher m = HTML_ANCHOR.matcher(line);
                while (m.find()) {
                    out.add(m.group(1));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Which lines belong to fenced code blocks, the fence lines included (``` or ~~~, closed by a fence at least as long). */
    static boolean[] fenced(List<String> lines) {
        boolean[] code = new boolean[lines.size()];
        String fence = null;
        for (int i = 0; i < lines.size(); i++) {
            Matcher f = FENCE.matcher(lines.get(i));
            if (fence != null) {
                code[i] = true;
                if (f.find() && f.group(1).charAt(0) == fence.charAt(0) && f.group(1).length() >= fence.length()) {
                    fence = null;
                }
            } else if (f.find()) {
                code[i] = true;
                fence = f.group(1);
            }
        }
        return code;
    }

    /** The anchors GitHub gives the headings (ATX and setext) outside code fences, duplicates numbered. */
    static Set<String> headingSlugs(List<String> lines) {
        Set<String> out = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean[] code = fenced(lines);
        for (int i = 0; i < lines.size(); i++) {
            if (code[i]) {
                continue;
            }
            String line = lines.get(i);
            String text = null;
            Matcher atx = ATX.matcher(line);
            if (atx.matches()) {
                text = atx.group(2) == null ? "" : atx.group(2);
            } else if (i + 1 < lines.size() && !line.isBlank() && SETEXT.matcher(lines.get(i + 1)).matches()
                    && !line.startsWith("    ") && !line.stripLeading().startsWith("|")
                    && (lines.get(i + 1).strip().startsWith("=") || !isListOrRule(line))) {
                text = line.strip();
                i++;
            }
            if (text == null) {
                continue;
            }
            String base = slug(text);
            Integer n = seen.get(base);
            String unique = n == null ? base : base + "-" + n;
            seen.put(base, n == null ? 1 : n + 1);
            out.add(unique);
        }
        return out;
    }

    private static boolean isListOrRule(String line) {
        String s = line.strip();
        return s.startsWith("- ") || s.startsWith("* ") || s.startsWith("+ ") || s.matches("[-*_ ]{3,}");
    }

    /**
     * GitHub's heading anchor: the heading's text ({@code *} emphasis, code marks, link targets and
     * HTML tags dropped; {@code _emphasis_} is not recognised), lower-cased, every character that is
     * not a letter, digit, mark, '_', '-' or space removed, spaces turned into '-'.
     */
    static String slug(String heading) {
        String text = heading
                .replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1") // links and images: their text
                .replaceAll("<[^>]+>", "")                       // inline HTML tags
                .replaceAll("[*`]", "")                          // emphasis and code marks
                .strip()
                .toLowerCase(Locale.ROOT);
        return text.replaceAll("[^\\p{L}\\p{N}\\p{M}\\p{Pc} -]", "").replace(' ', '-');
    }

    /** Link targets outside code: inline links and images, reference definitions, HTML href/src. */
    static List<Link> links(List<String> lines) {
        List<Link> out = new ArrayList<>();
        boolean[] code = fenced(lines);
        for (int i = 0; i < lines.size(); i++) {
            if (code[i]) {
                continue;
            }
            String line = lines.get(i);
            if (line.startsWith("    ") && (i == 0 || lines.get(i - 1).isBlank())) {
                continue; // indented code block
            }
            String text = line.replaceAll("(`+)(?:(?!\\1).)+?\\1", "");
            Matcher r = REFERENCE.matcher(text);
            if (r.find()) {
                out.add(new Link(unwrap(r.group(1)), i + 1));
                continue;
            }
            Matcher m = INLINE.matcher(text);
            while (m.find()) {
                out.add(new Link(unwrap(m.group(1)), i + 1));
            }
            Matcher h = HTML.matcher(text);
            while (h.find()) {
                out.add(new Link(h.group(1), i + 1));
            }
        }
        return out;
    }

    private static String unwrap(String target) {
        String t = target.trim();
        return t.startsWith("<") && t.endsWith(">") ? t.substring(1, t.length() - 1).trim() : t;
    }

    private static List<Path> markdownFiles(Path root) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> top = Files.list(root)) {
            top.filter(p -> p.getFileName().toString().endsWith(".md") && Files.isRegularFile(p)).sorted()
                    .forEach(out::add);
        }
        for (String tree : TREES) {
            Path dir = root.resolve(tree);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.filter(p -> p.getFileName().toString().endsWith(".md") && Files.isRegularFile(p))
                        .filter(p -> !root.relativize(p).toString().contains("/target/"))
                        .sorted().forEach(out::add);
            }
        }
        return out;
    }

    /** The checkout: the nearest directory above the working directory with README.md and docs/. */
    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("docs")))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "no README.md with docs/ above " + Path.of("").toAbsolutePath());
        return dir;
    }
}
