package io.iocagent.ops;

import java.util.ArrayList;
import java.util.List;

/**
 * A unified diff of two small texts (configuration files), the body of {@code diff -u} without
 * its {@code ---}/{@code +++} header: {@code @@} hunk headers, then context lines prefixed with a
 * space, removed lines with {@code -}, added lines with {@code +}.
 *
 * <p>Uses a longest-common-subsequence table: quadratic in the number of lines, which is fine for
 * files of tens of lines and keeps the code obvious.
 */
public final class UnifiedDiff {

    private static final int CONTEXT = 3;

    private UnifiedDiff() {
    }

    private record Edit(char kind, String line, int oldLine, int newLine) {
    }

    /** The hunks turning {@code oldText} into {@code newText}; empty when they are equal. */
    public static List<String> lines(String oldText, String newText) {
        List<String> a = splitLines(oldText);
        List<String> b = splitLines(newText);
        List<Edit> edits = edits(a, b);
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < edits.size()) {
            if (edits.get(i).kind() == ' ') {
                i++;
                continue;
            }
            int start = Math.max(0, i - CONTEXT);
            // A hunk goes on while at most 2*CONTEXT context lines separate two changes (diff -u joins them then).
            int lastChange = i;
            for (int j = i + 1; j < edits.size() && j - lastChange - 1 <= 2 * CONTEXT; j++) {
                if (edits.get(j).kind() != ' ') {
                    lastChange = j;
                }
            }
            int end = Math.min(edits.size() - 1, lastChange + CONTEXT);
            out.add(header(edits, start, end));
            for (int j = start; j <= end; j++) {
                out.add(edits.get(j).kind() + edits.get(j).line());
            }
            i = end + 1;
        }
        return out;
    }

    private static String header(List<Edit> edits, int start, int end) {
        int oldStart = -1;
        int newStart = -1;
        int oldCount = 0;
        int newCount = 0;
        for (int j = start; j <= end; j++) {
            Edit e = edits.get(j);
            if (e.kind() != '+') {
                oldCount++;
                if (oldStart < 0) {
                    oldStart = e.oldLine();
                }
            }
            if (e.kind() != '-') {
                newCount++;
                if (newStart < 0) {
                    newStart = e.newLine();
                }
            }
        }
        // diff -u numbers an empty range by the line before it.
        if (oldStart < 0) {
            oldStart = edits.get(start).oldLine() - 1;
        }
        if (newStart < 0) {
            newStart = edits.get(start).newLine() - 1;
        }
        return "@@ -" + range(oldStart, oldCount) + " +" + range(newStart, newCount) + " @@";
    }

    private static String range(int start, int count) {
        return count == 1 ? Integer.toString(start) : start + "," + count;
    }

    private static List<Edit> edits(List<String> a, List<String> b) {
        int n = a.size();
        int m = b.size();
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<Edit> edits = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && a.get(i).equals(b.get(j))) {
                edits.add(new Edit(' ', a.get(i), i + 1, j + 1));
                i++;
                j++;
            } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
                // Removals before additions, as diff prints a changed line.
                edits.add(new Edit('-', a.get(i), i + 1, j + 1));
                i++;
            } else {
                edits.add(new Edit('+', b.get(j), i + 1, j + 1));
                j++;
            }
        }
        return edits;
    }

    private static List<String> splitLines(String text) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }
}
