package io.iocagent.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnifiedDiffTest {

    @Test
    void equalTextsHaveNoHunks() {
        assertTrue(UnifiedDiff.lines("a\nb\n", "a\nb\n").isEmpty());
    }

    @Test
    void changedLineShowsRemovalThenAdditionWithContext() {
        String old = "IOC_NAME=\"x\"\nIOC_USER=\"a\"\nIOC_CMD=\"./st.cmd\"\n";
        String neu = "IOC_NAME=\"x\"\nIOC_USER=\"b\"\nIOC_CMD=\"./st.cmd\"\n";
        assertEquals(List.of("@@ -1,3 +1,3 @@", " IOC_NAME=\"x\"", "-IOC_USER=\"a\"", "+IOC_USER=\"b\"",
                " IOC_CMD=\"./st.cmd\""), UnifiedDiff.lines(old, neu));
    }

    @Test
    void hunksMatchGnuDiffOnLongerFiles(@TempDir Path dir) throws Exception {
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            a.add("line " + i);
            if (i == 3) {
                b.add("inserted");
            }
            if (i != 20 && i != 35) {
                b.add(i == 10 ? "changed 10" : "line " + i);
            }
        }
        String oldText = String.join("\n", a) + "\n";
        String newText = String.join("\n", b) + "\n";
        assertEquals(gnuDiff(dir, oldText, newText), UnifiedDiff.lines(oldText, newText));
    }

    @Test
    void additionToEmptyFileNumbersTheEmptyRangeAsZero(@TempDir Path dir) throws Exception {
        assertEquals(gnuDiff(dir, "", "a\nb\n"), UnifiedDiff.lines("", "a\nb\n"));
    }

    /** Lines 0..n-1 named {@code line i}, with each line of {@code changed} replaced and each of {@code removed} left out. */
    private static String text(int n, List<Integer> changed, List<Integer> removed) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (!removed.contains(i)) {
                b.append(changed.contains(i) ? "changed " + i : "line " + i).append('\n');
            }
        }
        return b.toString();
    }

    @Test
    void hunksJoinOrSplitExactlyAsGnuDiffDoesAtTheContextBoundary(@TempDir Path dir) throws Exception {
        String base = text(30, List.of(), List.of());
        // changes 6 lines apart share a hunk (2 x 3 context lines), 7 apart do not; first and last lines; deletions at the end
        List<List<Integer>> changes = List.of(List.of(5, 11), List.of(5, 12), List.of(5, 13), List.of(0), List.of(29),
                List.of(0, 29), List.of(2), List.of(27), List.of(3, 26));
        for (List<Integer> c : changes) {
            String changed = text(30, c, List.of());
            assertEquals(gnuDiff(dir, base, changed), UnifiedDiff.lines(base, changed), "changed lines " + c);
            String removed = text(30, List.of(), c);
            assertEquals(gnuDiff(dir, base, removed), UnifiedDiff.lines(base, removed), "removed lines " + c);
            assertEquals(gnuDiff(dir, removed, base), UnifiedDiff.lines(removed, base), "added lines " + c);
        }
        assertEquals(gnuDiff(dir, "a\nb\n", ""), UnifiedDiff.lines("a\nb\n", ""), "everything removed");
        assertEquals(gnuDiff(dir, "a\n", "b\n"), UnifiedDiff.lines("a\n", "b\n"), "one line for another");
    }

    /** The reference: GNU diff's hunks (diffutils is part of every Debian base system). */
    private static List<String> gnuDiff(Path dir, String oldText, String newText) throws IOException, InterruptedException {
        Path a = Files.writeString(dir.resolve("a"), oldText);
        Path b = Files.writeString(dir.resolve("b"), newText);
        Process p = new ProcessBuilder("diff", "-u", a.toString(), b.toString()).redirectErrorStream(true).start();
        List<String> out = new ArrayList<>(List.of(new String(p.getInputStream().readAllBytes()).split("\n")));
        p.waitFor();
        return out.subList(2, out.size());
    }
}
