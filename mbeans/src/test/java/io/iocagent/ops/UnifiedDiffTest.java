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
