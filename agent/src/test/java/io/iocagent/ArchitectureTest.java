package io.iocagent;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of {@code docs/architecture.md}, checked against the compiled main classes of
 * both modules, so neither the code nor the document can drift: no package cycles, no surface
 * reaching a source, and the table "Modules and packages" naming exactly the project packages
 * each package depends on and the module it lives in. Also the size rule of the same section: a
 * main class over {@value #LONG_CLASS_LINES} lines says in its javadoc which one concept it is.
 */
class ArchitectureTest {

    private static final String ROOT = "io.iocagent";

    /** Where facts come from: systemd, the D-Bus wire, sockets, /proc, the procServ log. */
    static final List<String> SOURCES = List.of("systemd", "dbus", "netlink", "proc", "procserv");

    /** What callers see: they read snapshots and call operations, never a source. */
    static final List<String> SURFACES = List.of("cli", "console", "jmx", "http");

    /** Lines a main source file may have before its javadoc must say which one concept it holds. */
    static final int LONG_CLASS_LINES = 400;

    /** {@code | `pkg` | module | what lives there | `dep`, `dep` |} rows of the package table. */
    private static final Pattern ROW = Pattern.compile("^\\| `(\\w+)` \\| (\\w+) \\| .* \\| ([^|]*) \\|\\s*$");
    private static final Pattern NAME = Pattern.compile("`(\\w+)`");
    /** The declaration of a file's top-level type: what comes before it is its javadoc (and imports). */
    private static final Pattern TYPE = Pattern.compile(
            "^(public |abstract |final |sealed )*(class|record|interface|enum|@interface) ", Pattern.MULTILINE);

    private static JavaClasses classes;
    private static Map<String, Documented> table;

    private record Documented(String module, Set<String> dependsOn) {
    }

    @BeforeAll
    static void importClasses() throws IOException {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar")) // the mbeans test-jar
                .importPackages(ROOT);
        table = documentedPackages(repositoryRoot().resolve("docs/architecture.md"));
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void noSurfaceReachesASource() {
        noClasses().that().resideInAnyPackage(packages(SURFACES))
                .should().dependOnClassesThat().resideInAnyPackage(packages(SOURCES))
                .because("surfaces read snapshots and call operations (docs/architecture.md); "
                        + "the operations and the model talk to sources")
                .check(classes);
    }

    @Test
    void everyPackageIsInTheTable() {
        Set<String> actual = new TreeSet<>(actualDependencies().keySet());
        assertEquals(actual, new TreeSet<>(table.keySet()),
                "docs/architecture.md's package table must list exactly the project's packages");
    }

    @Test
    void tableNamesExactlyTheDependenciesOfEveryPackage() {
        Map<String, Set<String>> actual = actualDependencies();
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : actual.entrySet()) {
            Documented doc = table.get(e.getKey());
            Set<String> documented = doc == null ? Set.of() : doc.dependsOn();
            if (!documented.equals(e.getValue())) {
                wrong.add("`" + e.getKey() + "` depends on " + e.getValue() + " but the table says " + documented);
            }
        }
        assertTrue(wrong.isEmpty(), "docs/architecture.md's package table is out of step with the code "
                + "(fix the code if the new dependency breaks a rule, else the table):\n  " + String.join("\n  ", wrong));
    }

    @Test
    void everyPackageLivesInItsDocumentedModule() {
        List<String> wrong = new ArrayList<>();
        Map<String, String> modules = new TreeMap<>();
        for (JavaClass c : classes) {
            String pkg = topPackage(c);
            if (pkg == null) {
                continue;
            }
            String module = c.getSource().map(s -> s.getUri().toString()).map(ArchitectureTest::module).orElse("?");
            String before = modules.putIfAbsent(pkg, module);
            if (before != null && !before.equals(module)) {
                wrong.add("`" + pkg + "` is split between " + before + " and " + module + " (" + c.getName() + ")");
            }
        }
        modules.forEach((pkg, module) -> {
            Documented doc = table.get(pkg);
            if (doc != null && !doc.module().equals(module)) {
                wrong.add("`" + pkg + "` lives in " + module + " but the table says " + doc.module());
            }
        });
        assertTrue(wrong.isEmpty(), "packages in the wrong module:\n  " + String.join("\n  ", wrong));
    }

    @Test
    void aMainClassOverTheLimitSaysWhichOneConceptItIs() throws IOException {
        List<String> wrong = new ArrayList<>();
        for (String module : List.of("mbeans", "agent")) {
            try (Stream<Path> files = Files.walk(repositoryRoot().resolve(module).resolve("src/main/java"))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                    String text = Files.readString(file);
                    long lines = text.lines().count();
                    Matcher type = TYPE.matcher(text);
                    String javadoc = type.find() ? text.substring(0, type.start()) : text;
                    if (lines > LONG_CLASS_LINES && !javadoc.contains("one concept")) {
                        wrong.add(repositoryRoot().relativize(file) + ": " + lines + " lines");
                    }
                }
            }
        }
        assertTrue(wrong.isEmpty(), "main classes over " + LONG_CLASS_LINES + " lines whose javadoc does not say which"
                + " one concept they hold (split them along their seams, or say it; docs/architecture.md):\n  "
                + String.join("\n  ", wrong));
    }

    /** Project package → the other project packages its main classes use (by name, class or member). */
    private static Map<String, Set<String>> actualDependencies() {
        Map<String, Set<String>> deps = new TreeMap<>();
        for (JavaClass c : classes) {
            String from = topPackage(c);
            if (from == null) {
                continue;
            }
            Set<String> to = deps.computeIfAbsent(from, k -> new TreeSet<>());
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String target = topPackage(d.getTargetClass());
                if (target != null && !target.equals(from)) {
                    to.add(target);
                }
            }
        }
        return deps;
    }

    /** {@code model} for {@code io.iocagent.model.Fleet}; null outside the project's packages. */
    private static String topPackage(JavaClass c) {
        String pkg = c.getPackageName();
        if (!pkg.startsWith(ROOT + ".")) {
            return null;
        }
        String rest = pkg.substring(ROOT.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    private static String module(String uri) {
        if (uri.contains("/mbeans/") || uri.contains("ioc-mbeans")) {
            return "mbeans";
        }
        return uri.contains("/agent/") || uri.contains("ioc-agent") ? "agent" : "?";
    }

    private static String[] packages(List<String> names) {
        return names.stream().map(n -> ROOT + "." + n + "..").toArray(String[]::new);
    }

    static Map<String, Documented> documentedPackages(Path doc) throws IOException {
        Map<String, Documented> rows = new TreeMap<>();
        for (String line : Files.readAllLines(doc)) {
            Matcher m = ROW.matcher(line);
            if (!m.matches()) {
                continue;
            }
            Set<String> deps = new TreeSet<>();
            Matcher n = NAME.matcher(m.group(3));
            while (n.find()) {
                deps.add(n.group(1));
            }
            rows.put(m.group(1), new Documented(m.group(2), deps));
        }
        assertTrue(rows.size() > 5, "no package table found in " + doc);
        return rows;
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("docs")))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "cannot find the repository root (README.md beside docs/) above " + Path.of("").toAbsolutePath());
        return dir;
    }
}
