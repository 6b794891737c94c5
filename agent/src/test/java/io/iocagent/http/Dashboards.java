package io.iocagent.http;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jolokia.json.parser.JSONParser;
import org.jolokia.json.parser.ParseException;

/**
 * The shipped Grafana dashboards ({@code dashboards/*.json} at the top of the checkout), read with
 * the JSON parser Jolokia brings, and what the tests need from them: panels (rows flattened),
 * their query targets, the template variables, and the PromQL with Grafana's variables replaced.
 */
final class Dashboards {

    /** One shipped dashboard: its file and its parsed JSON. */
    record Dashboard(Path file, Map<String, Object> json) {

        String title() {
            return String.valueOf(json.get("title"));
        }

        /** Every panel, those inside collapsed rows too. */
        List<Map<String, Object>> panels() {
            List<Map<String, Object>> out = new ArrayList<>();
            collectPanels(list(json.get("panels")), out);
            return out;
        }

        /** Every query target of every panel, in panel order. */
        List<Target> targets() {
            List<Target> out = new ArrayList<>();
            for (Map<String, Object> panel : panels()) {
                for (Map<String, Object> t : maps(panel.get("targets"))) {
                    out.add(new Target(this, String.valueOf(panel.get("title")), String.valueOf(t.get("refId")),
                            String.valueOf(t.get("expr"))));
                }
            }
            return out;
        }

        /** The template variables ({@code templating.list}). */
        List<Map<String, Object>> variables() {
            return maps(map(json.get("templating")).get("list"));
        }
    }

    /** One query of one panel. */
    record Target(Dashboard dashboard, String panel, String refId, String expr) {

        /** For failure messages: dashboard, panel and query. */
        String describe() {
            return "'" + dashboard.title() + "' panel '" + panel + "' query " + refId + ": " + expr;
        }
    }

    /** {@code label_values(label)} or {@code label_values(selector, label)}: a variable's query. */
    record LabelValues(String selector, String label) {

        private static final Pattern FORM = Pattern.compile("label_values\\(\\s*(?:(.+?)\\s*,\\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)");

        /** Parses a Prometheus variable query; only label_values is used by the shipped dashboards. */
        static LabelValues parse(String query) {
            Matcher m = FORM.matcher(query.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("Not a label_values(...) query: " + query
                        + " (the tests know how to evaluate label_values only; teach them the new form)");
            }
            return new LabelValues(m.group(1), m.group(2));
        }
    }

    static final List<String> FILES = List.of("epics-ioc-fleet.json", "epics-ioc-detail.json");

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-zA-Z]+)?}|\\$([a-zA-Z_][a-zA-Z0-9_]*)");

    private Dashboards() {
    }

    /** The checkout's {@code dashboards/} directory, found from the working directory upwards. */
    static Path directory() {
        return checkoutPath("dashboards");
    }

    /** {@code relative} under the checkout root (the first directory upwards that has it). */
    static Path checkoutPath(String relative) {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve(relative);
            if (Files.exists(candidate) && Files.exists(dir.resolve("deploy/demo/standin-ioc"))) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
    }

    /** Both shipped dashboards, parsed; a file that is not JSON fails with its name. */
    static List<Dashboard> shipped() {
        List<Dashboard> out = new ArrayList<>();
        for (String name : FILES) {
            out.add(load(directory().resolve(name)));
        }
        return out;
    }

    static Dashboard load(Path file) {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return new Dashboard(file, map(new JSONParser().parse(in)));
        } catch (ParseException e) {
            throw new IllegalStateException(file + " is not valid JSON: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code text} with every Grafana variable ({@code $name}, {@code ${name}},
     * {@code ${name:format}}) replaced from {@code values}.
     *
     * @throws IllegalArgumentException naming a variable {@code values} lacks
     */
    static String substitute(String text, Map<String, String> values) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            String value = values.get(name);
            if (value == null) {
                throw new IllegalArgumentException("No test value for Grafana variable $" + name + " in: " + text);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern LABEL_LIST = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset", "inf", "nan", "atan2");

    /**
     * The metric names a PromQL expression selects: identifiers outside strings, label matchers
     * ({@code {...}}), range and subquery brackets and label lists, that are not functions
     * (followed by {@code (}), keywords or Grafana variables.
     */
    static Set<String> metricNames(String promql) {
        String s = STRING.matcher(promql).replaceAll("\"\"");
        s = s.replaceAll("\\$\\{[^}]*}|\\$[a-zA-Z_][a-zA-Z0-9_]*", " ");
        s = s.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ");
        s = LABEL_LIST.matcher(s).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String word = m.group();
            boolean partOfNumber = m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1));
            boolean call = s.substring(m.end()).stripLeading().startsWith("(");
            if (!partOfNumber && !call && !KEYWORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
                names.add(word);
            }
        }
        return names;
    }

    private static void collectPanels(List<Object> panels, List<Map<String, Object>> out) {
        for (Object p : panels) {
            Map<String, Object> panel = map(p);
            out.add(panel);
            collectPanels(list(panel.get("panels")), out);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o instanceof List<?> l ? (List<Object>) l : List.of();
    }

    static List<Map<String, Object>> maps(Object o) {
        return list(o).stream().map(Dashboards::map).toList();
    }
}
