package io.iocagent.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConfTextTest {

    private static final String PORT = "unix:ioc-srv:ioc:0660:/run/procserv/iocmyioc/control";

    @Test
    void generatedConfIsTheSeedsSixLines() {
        assertEquals("IOC_NAME=\"iocmyioc\"\n"
                + "IOC_USER=\"ioc-srv\"\n"
                + "IOC_GROUP=\"ioc\"\n"
                + "IOC_CHDIR=\"/opt/epics-iocs/myioc/iocBoot/iocmyioc\"\n"
                + "IOC_PORT=\"\"\n"
                + "IOC_CMD=\"./st.cmd\"\n",
                ConfText.generated(new IocName("iocmyioc"), new Identity("ioc-srv", "ioc"),
                        Path.of("/opt/epics-iocs/myioc/iocBoot/iocmyioc"), "st.cmd"));
    }

    @Test
    void generatedConfReadsBackUnusualDirectoriesExactly() throws Exception {
        Path odd = Path.of("/opt/a \"b\" $c `d` \\e");
        String text = ConfText.generated(new IocName("x"), new Identity("u", "g"), odd, "st.cmd");
        assertEquals(Optional.of(odd.toString()), ConfFile.parse(text, "x.conf").get("IOC_CHDIR"));
    }

    @Test
    void installedCopyReplacesEveryPortLineAndKeepsTheRestVerbatim() {
        String source = "# site notes\n"
                + "IOC_PORT=\"\"\n"
                + "IOC_USER=\"ioc-srv\"\n"
                + "  IOC_PORT = 'unix:x'\n"
                + "IOC_PORT_NOTE=\"kept\"\n"
                + "\tIOC_PORT=2000\n"
                + "CRASH_LOG_PATTERNS_EXTRA=\"asyn\\.error\"\n";
        assertEquals("# site notes\n"
                + "IOC_USER=\"ioc-srv\"\n"
                + "IOC_PORT_NOTE=\"kept\"\n"
                + "CRASH_LOG_PATTERNS_EXTRA=\"asyn\\.error\"\n"
                + "IOC_PORT=\"" + PORT + "\"\n", ConfText.installed(source, PORT));
    }

    @Test
    void installedCopyEndsTheLastLineBeforeAppendingThePort() {
        assertEquals("IOC_CMD=\"./st.cmd\"\nIOC_PORT=\"" + PORT + "\"\n",
                ConfText.installed("IOC_CMD=\"./st.cmd\"", PORT));
    }

    @Test
    void installedCopyKeepsCrlfLinesAndDropsACrlfPortLine() {
        assertEquals("A=1\r\nB=2\r\nIOC_PORT=\"" + PORT + "\"\n",
                ConfText.installed("A=1\r\nIOC_PORT=\"\"\r\nB=2\r\n", PORT));
    }

    @Test
    void installedCopyOfAnEmptySourceIsJustThePort() {
        assertEquals("IOC_PORT=\"" + PORT + "\"\n", ConfText.installed("", PORT));
    }

    @Test
    void installedCopyOfAGeneratedConfHasExactlyOnePort() throws Exception {
        String generated = ConfText.generated(new IocName("iocmyioc"), new Identity("ioc-srv", "ioc"),
                Path.of("/opt/epics-iocs/myioc/iocBoot/iocmyioc"), "st.cmd");
        ConfFile installed = ConfFile.parse(ConfText.installed(generated, PORT), "x.conf");
        assertEquals(Optional.of(PORT), installed.get("IOC_PORT"));
        assertEquals(List.of(), installed.warnings());
    }
}
