package io.iocagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.conf.IocName;
import io.iocagent.conf.IocPort;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.jmx.Credentials;
import io.iocagent.jmx.Role;
import io.iocagent.posix.Account;
import io.iocagent.testbed.TestBed;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The findings of issue 10 sent to the agent as it ships — its own process, started by the
 * launcher with the shipped JVM options and default limits — by real clients (the JDK HTTP client,
 * raw sockets, a remote JMX client), each asserting the safe outcome. Run against another
 * checkout's launcher with {@code -Diocagent.runner=…/deploy/bin/ioc-runner} to see which fail
 * on older code.
 */
class AttackIT {

    private static final String OPERATOR = "olivia";
    private static final String OPERATOR_PASSWORD = "operator-secret";
    private static final String VIEWER = "victor";
    private static final String VIEWER_PASSWORD = "viewer-secret";
    private static final Pattern ISO_TIME = Pattern.compile(
            "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?(Z|[+-]\\d\\d:\\d\\d) surface=.*");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static TestBed bed;
    private static AgentProcess agent;
    private static Path audit;
    private static Path tmp;
    private static int jmxPort;
    private static String ioc;

    @BeforeAll
    static void startTheAgent() throws Exception {
        bed = TestBed.open();
        Path credentials = bed.root().resolve("credentials");
        Files.writeString(credentials,
                OPERATOR + ":" + Role.OPERATOR.text() + ":" + Credentials.hash(OPERATOR_PASSWORD.toCharArray(), Credentials.MIN_ITERATIONS) + "\n"
                + VIEWER + ":" + Role.VIEWER.text() + ":" + Credentials.hash(VIEWER_PASSWORD.toCharArray(), Credentials.MIN_ITERATIONS) + "\n");
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
        Account account = Account.current(bed.env());
        Layout layout = Layout.resolve(Mode.LOCAL, bed.env(), account);
        ioc = bed.iocName("atk");
        Path boot = bed.iocBoot("atk", io.iocagent.testbed.Behaviour.HEALTHY);
        Files.writeString(layout.confDir().resolve(ioc + ".conf"), "IOC_CMD=\"./st.cmd\"\nIOC_CHDIR=\"" + boot
                + "\"\nIOC_PORT=\"" + IocPort.standard(layout.identity(), layout.runDir(), new IocName(ioc)) + "\"\n");
        audit = bed.root().resolve("audit.log");
        tmp = Files.createDirectory(bed.root().resolve("tmp"));
        jmxPort = AgentProcess.freePort();
        agent = AgentProcess.start(bed, "attack", Map.of("credentials.file", credentials.toString(),
                "audit.log", audit.toString(), "poll.interval", "1s", "jmx.remote.port", Integer.toString(jmxPort),
                "audit.refusals.interval", "2s"),
                "-Djava.io.tmpdir=" + tmp);
        TestBed.await(Duration.ofSeconds(30), "the agent's model to show " + ioc,
                () -> {
                    try {
                        return get(agent.jolokia() + "read/epics.ioc:type=Manager/IocCount", operator()).body().contains("\"value\":1");
                    } catch (IOException | InterruptedException e) {
                        return false;
                    }
                });
        // Both users log in once, so they are known while the password-flood test backs guessers off.
        assertEquals(200, get(agent.jolokia() + "version", viewer()).statusCode());
    }

    @AfterAll
    static void stopTheAgent() {
        if (agent != null) {
            agent.close();
        }
        if (bed != null) {
            bed.close();
        }
    }

    // ---- D1: an anonymous bulk that exhausts the heap ------------------------------------------

    @Test
    void d1_aBulkOfFiveHundredListsIsRefusedAndTheAgentKeepsAnswering() throws Exception {
        String bulk = "[" + String.join(",", java.util.Collections.nCopies(500, "{\"type\":\"list\"}")) + "]";
        HttpResponse<String> r = post(agent.jolokia(), bulk, null);
        assertEquals(413, r.statusCode(), "a 500-request bulk must be refused, got: " + head(r.body()));
        assertTrue(r.body().contains("jolokia.bulk.max"), r.body());
        assertAnswering();
    }

    @Test
    void anAgentThatRunsOutOfMemoryExitsWithAFailureStatusForSystemdToRestartIt() throws Exception {
        // Limits opened wide and a small heap, so that the heap really runs out.
        try (AgentProcess fragile = AgentProcess.start(bed, "fragile", Map.of("jolokia.bulk.max", "2000",
                "jolokia.request.max.bytes", "1000000", "jolokia.concurrency", "16", "poll.interval", "1s"), "-Xmx24m")) {
            String bulk = "[" + String.join(",", java.util.Collections.nCopies(2000, "{\"type\":\"list\"}")) + "]";
            ExecutorService clients = Executors.newFixedThreadPool(6);
            try {
                for (int i = 0; i < 6; i++) {
                    clients.submit(() -> post(fragile.jolokia(), bulk, null));
                }
                int status = fragile.awaitExit(Duration.ofSeconds(90));
                assertEquals(3, status, "exit status of an agent whose heap ran out (-XX:+ExitOnOutOfMemoryError):\n"
                        + fragile.output());
                assertTrue(fragile.output().contains("OutOfMemoryError"), fragile.output());
            } finally {
                clients.shutdownNow();
            }
        }
        String unit = Files.readString(AgentProcess.runner().getParent().getParent().resolve("systemd/ioc-agent.service"));
        assertTrue(unit.contains("\nRestart=on-failure\n"), "the unit restarts a failed agent");
        assertFalse(unit.contains("RestartPreventExitStatus"), "no exit status is exempt from the restart");
        assertTrue(unit.contains("\nSuccessExitStatus=143\n"), "only SIGTERM's 143 counts as success, not 3 or 70");
    }

    // ---- D2: unlimited notification registrations ----------------------------------------------

    @Test
    void d2_notificationRegistrationsStopAtTheLimitPerCaller() throws Exception {
        int registered = 0;
        int refused = 0;
        for (int i = 0; i < 60; i++) {
            HttpResponse<String> r = post(agent.jolokia(), "{\"type\":\"notification\",\"command\":\"register\"}", null);
            if (r.statusCode() == 429) {
                refused++;
                assertTrue(r.body().contains("jolokia.notification.clients.per.caller"), r.body());
            } else if (r.body().contains("\"id\"")) {
                registered++;
            }
        }
        assertTrue(registered <= 8, "anonymous registered " + registered + " notification clients; the limit is 8");
        assertTrue(refused >= 52, "refused only " + refused + " of 60 registrations");
        // An authenticated user is another caller: still served.
        HttpResponse<String> own = post(agent.jolokia(), "{\"type\":\"notification\",\"command\":\"register\"}", viewer());
        assertTrue(own.body().contains("\"id\""), "the viewer's own registration: " + head(own.body()));
        assertAnswering();
    }

    // ---- D5, D12, D13, issue 14 item 4, issue 16 item 3: the audit file -------------------------

    @Test
    void d5_theAuditFileIsNotReadableByOtherUsers() throws Exception {
        post(agent.jolokia(), execManager("refresh"), operator());
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(audit);
        assertFalse(mode.contains(PosixFilePermission.OTHERS_READ), "audit log mode " + PosixFilePermissions.toString(mode));
        assertFalse(mode.contains(PosixFilePermission.GROUP_WRITE), "audit log mode " + PosixFilePermissions.toString(mode));
    }

    @Test
    void d12_everyAttemptInABulkIsItsOwnLineAndFailedLoginsAreAudited() throws Exception {
        int before = auditLines().size();
        String stop = "{\"type\":\"exec\",\"mbean\":\"epics.ioc:type=Manager\",\"operation\":\"stop\",\"arguments\":[\"" + ioc + "x\"]}";
        post(agent.jolokia(), "[" + String.join(",", java.util.Collections.nCopies(5, stop)) + "]", null);
        String refresh = execManager("refresh");
        post(agent.jolokia(), "[" + refresh + "," + refresh + "," + refresh + "]", operator());
        String refusedLogin = raw(InetAddress.getByName("127.0.0.2"), agent.jolokiaPort, "/jolokia/version",
                "Host: 127.0.0.1\r\nAuthorization: " + basic(VIEWER, "wrong-password"));
        assertTrue(refusedLogin.startsWith("HTTP/1.1 401"), head(refusedLogin));
        List<String> lines = awaitAudit(before, l -> l.contains("action=login"));
        // Identical refusals are digested (audit.refusals.interval): a line, then one with count=4.
        TestBed.await(Duration.ofSeconds(20), "the five denied stops on record", () -> {
            try {
                List<String> all = auditLines();
                return onRecord(all.subList(Math.min(before, all.size()), all.size()), "member=stop", "outcome=denied") == 5;
            } catch (IOException e) {
                return false;
            }
        });
        lines = auditLines().subList(before, auditLines().size());
        assertEquals(5, onRecord(lines, "member=stop", "outcome=denied"), "five denied stops in one bulk: " + lines);
        assertTrue(count(lines, "member=stop", "outcome=denied") <= 2, "digested into at most two lines: " + lines);
        assertEquals(3, count(lines, "member=refresh", "outcome=ok"), "three refreshes that each ran: " + lines);
        assertEquals(1, count(lines, "action=login", "outcome=denied"), "the failed login: " + lines);
    }

    @Test
    void d13_lineSeparatorsAreEscapedAndArrayArgumentsShownAsContents() throws Exception {
        int before = auditLines().size();
        String sneaky = "x\u2028surface=jolokia user=root\u0085y";
        post(agent.jolokia(), "{\"type\":\"exec\",\"mbean\":\"epics.ioc:type=Manager\",\"operation\":\"stop\",\"arguments\":[\""
                + sneaky + "\"]}", operator());
        try (JMXConnector c = jmx(OPERATOR, OPERATOR_PASSWORD)) {
            assertThrows(Exception.class, () -> c.getMBeanServerConnection().invoke(new ObjectName("epics.ioc:type=Manager"),
                    "nosuch", new Object[] {new String[] {"alpha", "beta"}}, new String[] {String[].class.getName()}));
        }
        List<String> lines = awaitAudit(before, l -> l.contains("member=nosuch") && !l.contains("outcome=started"));
        String stop = lines.stream().filter(l -> l.contains("member=stop") && l.contains("outcome=failed")).findFirst().orElseThrow(
                () -> new AssertionError("no line for the stop: " + lines));
        assertTrue(stop.contains("\\u2028") && stop.contains("\\u0085"), stop);
        for (String l : lines) {
            assertFalse(l.chars().anyMatch(ch -> ch == 0x2028 || ch == 0x2029 || ch == 0x85 || ch < 0x20), "raw separator in " + l);
        }
        String nosuch = lines.stream().filter(l -> l.contains("member=nosuch")).reduce((a, b) -> b).orElseThrow();
        assertTrue(nosuch.contains("[[alpha, beta]]"), nosuch);
        assertFalse(nosuch.contains("[Ljava.lang.String;"), nosuch);
    }

    @Test
    void anOperationIsAuditedWhenItBeginsAndWhenItEndsEachLineWithAnIsoTime() throws Exception {
        int before = auditLines().size();
        post(agent.jolokia(), execManager("refresh"), operator());
        List<String> lines = awaitAudit(before, l -> l.contains("member=refresh") && l.contains("outcome=ok"));
        int began = indexOf(lines, "member=refresh", "outcome=started");
        int ended = indexOf(lines, "member=refresh", "outcome=ok");
        assertTrue(began >= 0 && began < ended, "a begin line before the end line: " + lines);
        for (String l : auditLines()) {
            assertTrue(ISO_TIME.matcher(l).matches(), "audit line without an ISO-8601 time and zone: " + l);
        }
    }

    // ---- D7: JSONP by percent-encoding -----------------------------------------------------------

    @Test
    void d7_jsonpIsRefusedHoweverTheCallbackIsEncoded() throws Exception {
        for (String query : List.of("callback=x", "%63allback=x", "callback%3Dx", "%2563allback=x")) {
            HttpResponse<String> r = get(agent.jolokia() + "version?" + query, null);
            assertEquals(403, r.statusCode(), query + " -> " + head(r.body()));
            assertFalse(r.headers().firstValue("Content-Type").orElse("").contains("javascript"), query);
            assertFalse(r.body().startsWith("x("), query + " -> " + head(r.body()));
        }
    }

    // ---- D9: the keystore password on the command line --------------------------------------------

    @Test
    void d9_aKeystorePasswordFlagIsRefusedAndNobodyReadsTheCommandLineOverHttp() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(AgentProcess.runner().toString(), "--local", "agent", "--jolokia.port=0",
                "--metrics.port=0", "--tls.keystore.password=hunter22").redirectErrorStream(true)
                .redirectOutput(bed.root().resolve("flag.log").toFile());
        pb.environment().putAll(bed.env());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        p.getOutputStream().close();
        boolean ended = p.waitFor(30, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String out = Files.readString(bed.root().resolve("flag.log"), StandardCharsets.UTF_8);
        assertTrue(ended && p.exitValue() != 0, "the agent must refuse the flag and exit; it "
                + (ended ? "exited " + p.exitValue() : "kept running") + ": " + out);
        assertTrue(out.contains("must not be given as a flag"), out);
        for (String attribute : List.of("SystemProperties", "InputArguments")) {
            for (String user : new String[] {null, basic(OPERATOR, OPERATOR_PASSWORD)}) {
                String body = get(agent.jolokia() + "read/java.lang:type=Runtime/" + attribute, user).body();
                assertTrue(body.contains("\"status\":403"), attribute + " read over Jolokia: " + head(body));
            }
        }
        try (JMXConnector c = jmx(VIEWER, VIEWER_PASSWORD)) {
            assertThrows(SecurityException.class,
                    () -> c.getMBeanServerConnection().getAttribute(new ObjectName("java.lang:type=Runtime"), "SystemProperties"));
        }
    }

    // ---- D10: wrong passwords slow everyone down ---------------------------------------------------

    @Test
    void d10_wrongPasswordsFromEightClientsDoNotSlowAnonymousOrKnownUsers() throws Exception {
        get(agent.jolokia() + "version", operator()); // the operator is logged in before the flood
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService flood = Executors.newFixedThreadPool(8);
        List<Future<?>> floods = new ArrayList<>();
        InetAddress guesser = InetAddress.getByName("127.0.0.3");
        for (int i = 0; i < 8; i++) {
            String wrong = "Host: 127.0.0.1\r\nAuthorization: " + basic(OPERATOR, "guess-" + i);
            floods.add(flood.submit(() -> {
                while (!stop.get()) {
                    raw(guesser, agent.jolokiaPort, "/jolokia/version", wrong);
                }
                return null;
            }));
        }
        try {
            Thread.sleep(500); // let the flood start (a measurement window, not a wait for a condition)
            List<Long> anonymous = new ArrayList<>();
            List<Long> known = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                anonymous.add(timed(() -> get(agent.jolokia() + "read/epics.ioc:type=Manager/IocCount", null)));
                known.add(timed(() -> get(agent.jolokia() + "read/epics.ioc:type=Manager/IocCount", operator())));
            }
            assertTrue(median(anonymous) < 250, "anonymous read median " + median(anonymous) + " ms under a password flood");
            assertTrue(median(known) < 250, "logged-in operator median " + median(known) + " ms under a password flood");
            String throttled = raw(guesser, agent.jolokiaPort, "/jolokia/version",
                    "Host: 127.0.0.1\r\nAuthorization: " + basic(OPERATOR, "guess-x"));
            assertTrue(throttled.startsWith("HTTP/1.1 429"), "a guesser is backed off: " + head(throttled));
        } finally {
            stop.set(true);
            flood.shutdown();
            flood.awaitTermination(30, TimeUnit.SECONDS);
        }
        long failedLogins = count(auditLines(), "action=login", "outcome=denied");
        assertTrue(failedLogins >= 1 && failedLogins < 100, failedLogins + " failed-login lines: audited, but not one per attempt");
    }

    // ---- D11: slowloris ---------------------------------------------------------------------------

    @Test
    void d11_halfSentRequestsDoNotBlockJolokiaOrMetricsAndAreCut() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                slow.add(halfRequest(agent.jolokiaPort, "/jolokia/version"));
                slow.add(halfRequest(agent.metricsPort, "/metrics"));
            }
            long jolokia = timed(() -> get(agent.jolokia() + "read/epics.ioc:type=Manager/IocCount", operator()));
            long metrics = timed(() -> get(agent.metrics(), null));
            assertTrue(jolokia < 1000, "Jolokia answered in " + jolokia + " ms beside 8 half-sent requests");
            assertTrue(metrics < 1000, "/metrics answered in " + metrics + " ms beside 8 half-sent requests");
            Socket first = slow.get(0);
            first.setSoTimeout(20_000);
            long t0 = System.nanoTime();
            int read;
            try {
                read = first.getInputStream().read();
            } catch (SocketTimeoutException e) {
                read = -2;
            } catch (IOException e) {
                read = -1;
            }
            long held = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            assertNotEquals(-2, read, "a half-sent request was held for 20 s");
            assertTrue(held <= 12, "a half-sent request was held " + held + " s (http.request.timeout is 5 s)");
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    // ---- D15, D16: Host header --------------------------------------------------------------------

    @Test
    void d15_d16_foreignUserinfoAndDuplicateHostHeadersAreRefusedOnBothEndpoints() throws Exception {
        for (int port : new int[] {agent.jolokiaPort, agent.metricsPort}) {
            String path = port == agent.jolokiaPort ? "/jolokia/version" : "/metrics";
            assertTrue(raw(port, path, "Host: 127.0.0.1:" + port).startsWith("HTTP/1.1 200"), "a loopback Host works");
            for (String host : List.of("Host: evil.example", "Host: 127.0.0.1:" + port + "@evil.example",
                    "Host: 127.0.0.1:" + port + "\r\nHost: evil.example")) {
                String answer = raw(port, path, host);
                assertTrue(answer.startsWith("HTTP/1.1 403"), path + " with " + host.replace("\r\n", " | ") + ": " + head(answer));
            }
        }
    }

    // ---- D17: the staged policy -------------------------------------------------------------------

    @Test
    void d17_thePolicyIsNeverStagedOnDisk() throws Exception {
        try (var files = Files.list(tmp)) {
            List<Path> staged = files.filter(f -> f.getFileName().toString().contains("jolokia")).toList();
            assertTrue(staged.isEmpty(), "policy copies in the agent's temp directory: " + staged);
        }
    }

    // ---- Anonymous = every local user ----------------------------------------------------------------

    @Test
    void anonymousCallersSeeStatesButNotCommandsPathsErrorsOrConsoleClients() throws Exception {
        String mbean = "epics.ioc:type=Ioc,name=" + ioc;
        for (String attribute : List.of("Command", "WorkingDirectory", "ConfPath", "LogPath", "LastError", "ConsoleClients")) {
            String anonymous = get(agent.jolokia() + "read/" + mbean + "/" + attribute, null).body();
            assertTrue(anonymous.contains("\"status\":403"), "anonymous read of " + attribute + ": " + head(anonymous));
            String viewer = get(agent.jolokia() + "read/" + mbean + "/" + attribute, viewer()).body();
            assertTrue(viewer.contains("\"status\":200"), "viewer read of " + attribute + ": " + head(viewer));
        }
        String state = get(agent.jolokia() + "read/" + mbean + "/ActiveState", null).body();
        assertTrue(state.contains("\"status\":200"), "anonymous read of ActiveState: " + head(state));
        String all = get(agent.jolokia() + "read/" + mbean, null).body();
        assertFalse(all.contains("st.cmd"), "a read of all attributes shows the command: " + head(all));
    }

    // ---- Remote JMX: deserialisation before the access check ----------------------------------------

    @Test
    void aViewersInvokeParametersAreNotDeserialisedAndDeepGraphsAreRefusedForEveryone() throws Exception {
        ObjectName manager = new ObjectName("epics.ioc:type=Manager");
        Object bomb = nestedHashSets(60);
        ExecutorService client = Executors.newSingleThreadExecutor();
        try (JMXConnector viewerConnection = jmx(VIEWER, VIEWER_PASSWORD);
             JMXConnector operatorConnection = jmx(OPERATOR, OPERATOR_PASSWORD)) {
            MBeanServerConnection asViewer = viewerConnection.getMBeanServerConnection();
            Future<Throwable> refused = client.submit(() -> {
                try {
                    asViewer.invoke(manager, "start", new Object[] {bomb}, new String[] {Object.class.getName()});
                    return null;
                } catch (Exception e) {
                    return e;
                }
            });
            Throwable viewerOutcome = refused.get(20, TimeUnit.SECONDS);
            assertTrue(viewerOutcome instanceof SecurityException, "viewer invoke with a nested-HashSet parameter: " + viewerOutcome);
            MBeanServerConnection asOperator = operatorConnection.getMBeanServerConnection();
            Future<Throwable> filtered = client.submit(() -> {
                try {
                    asOperator.invoke(manager, "start", new Object[] {bomb}, new String[] {Object.class.getName()});
                    return null;
                } catch (Exception e) {
                    return e;
                }
            });
            Throwable operatorOutcome = filtered.get(20, TimeUnit.SECONDS);
            assertTrue(operatorOutcome != null, "an operator's 60-deep graph must be refused by the filter");
        } finally {
            client.shutdownNow();
        }
        assertTrue(auditLines().stream().anyMatch(l -> l.contains("user=" + VIEWER) && l.contains("member=start")
                && l.contains("refused before deserialising")), "the viewer's refusal is audited");
        assertAnswering();
    }

    // ---- helpers --------------------------------------------------------------------------------------

    private static void assertAnswering() throws Exception {
        assertTrue(agent.alive(), "the agent process died:\n" + agent.output());
        long metrics = timed(() -> get(agent.metrics(), null));
        long jolokia = timed(() -> get(agent.jolokia() + "read/epics.ioc:type=Manager/IocCount", operator()));
        assertTrue(metrics < 1000 && jolokia < 1000, "/metrics " + metrics + " ms, Jolokia " + jolokia + " ms");
    }

    /** A nested-HashSet graph that takes 2^depth steps to deserialise (the "SerialDOS" shape). */
    static Set<Object> nestedHashSets(int depth) {
        Set<Object> root = new HashSet<>();
        Set<Object> s1 = root;
        Set<Object> s2 = new HashSet<>();
        for (int i = 0; i < depth; i++) {
            Set<Object> t1 = new HashSet<>();
            Set<Object> t2 = new HashSet<>();
            t1.add("x");
            s1.add(t1);
            s1.add(t2);
            s2.add(t1);
            s2.add(t2);
            s1 = t1;
            s2 = t2;
        }
        return root;
    }

    private static JMXConnector jmx(String user, String password) throws IOException {
        return JMXConnectorFactory.connect(new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi"),
                Map.of(JMXConnector.CREDENTIALS, new String[] {user, password}));
    }

    private static String execManager(String operation) {
        return "{\"type\":\"exec\",\"mbean\":\"epics.ioc:type=Manager\",\"operation\":\"" + operation + "\"}";
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String operator() {
        return basic(OPERATOR, OPERATOR_PASSWORD);
    }

    private static String viewer() {
        return basic(VIEWER, VIEWER_PASSWORD);
    }

    static HttpResponse<String> get(String url, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String url, String json, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    interface Call {
        Object run() throws Exception;
    }

    static long timed(Call call) throws Exception {
        long t0 = System.nanoTime();
        call.run();
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    /** A request line and one header, then nothing: a connection the server must give up on. */
    static Socket halfRequest(int port, String path) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    /** One raw HTTP/1.1 GET with the given header lines; the status line and what follows. */
    private static String raw(int port, String path, String headers) throws IOException {
        return raw(InetAddress.getLoopbackAddress(), port, path, headers);
    }

    /** As {@link #raw(int, String, String)}, from the local address {@code from} (any of 127/8). */
    private static String raw(InetAddress from, int port, String path, String headers) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port, from, 0)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\n" + headers + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while (got.size() < 4096 && (n = in.read(buf)) > 0) {
                got.write(buf, 0, n);
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static List<String> auditLines() throws IOException {
        return Files.exists(audit) ? Files.readAllLines(audit, StandardCharsets.UTF_8) : List.of();
    }

    private static List<String> awaitAudit(int from, java.util.function.Predicate<String> last) throws IOException {
        TestBed.await(Duration.ofSeconds(20), "the audit line that ends the test's requests", () -> {
            try {
                List<String> all = auditLines();
                return all.subList(Math.min(from, all.size()), all.size()).stream().anyMatch(last);
            } catch (IOException e) {
                return false;
            }
        });
        List<String> all = auditLines();
        return all.subList(Math.min(from, all.size()), all.size());
    }

    /** Refusals the matching lines stand for: one each, or a digest line's {@code count=N}. */
    private static long onRecord(List<String> lines, String... parts) {
        return lines.stream().filter(l -> List.of(parts).stream().allMatch(l::contains))
                .mapToLong(l -> l.contains(" count=") ? Long.parseLong(l.substring(l.lastIndexOf(" count=") + 7)) : 1)
                .sum();
    }

    private static long count(List<String> lines, String... parts) {
        return lines.stream().filter(l -> List.of(parts).stream().allMatch(l::contains)).count();
    }

    private static int indexOf(List<String> lines, String... parts) {
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (List.of(parts).stream().allMatch(l::contains)) {
                return i;
            }
        }
        return -1;
    }

    private static String head(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
