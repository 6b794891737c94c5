package io.iocagent.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.jmx.CredentialsFile;
import io.iocagent.ops.LogCapture;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.jolokia.client.JolokiaClient;
import org.jolokia.client.JolokiaClientBuilder;
import org.jolokia.client.JolokiaTargetConfig;
import org.jolokia.client.exception.JolokiaRemoteException;
import org.jolokia.client.request.HttpMethod;
import org.jolokia.client.request.JolokiaExecRequest;
import org.jolokia.client.request.JolokiaReadRequest;
import org.jolokia.client.response.JolokiaExecResponse;
import org.jolokia.client.response.JolokiaReadResponse;
import org.jolokia.json.JSONArray;
import org.jolokia.json.JSONObject;
import org.jolokia.json.parser.JSONParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jolokia served in-process on an ephemeral loopback port with the shipped policy, driven by real
 * clients: the Jolokia Java client and the JDK HttpClient (raw JSON, headers it would not send).
 */
class JolokiaEndpointIT {

    private static final String ALLOWED_ORIGIN = "http://console.example:8080";
    private static final String TEST_MBEAN = TestIoc.NAME;

    @TempDir
    static Path dir;

    private static TestIoc testIoc;
    private static CredentialsFile credentials;
    private static JolokiaEndpoint endpoint;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startJolokia() throws Exception {
        testIoc = TestIoc.register();
        credentials = TestCredentials.load(dir);
        endpoint = JolokiaEndpoint.start(new JolokiaSettings("127.0.0.1", 0, null, ShippedPolicy.path(),
                List.of(ALLOWED_ORIGIN), 4), credentials);
    }

    @AfterAll
    static void stopJolokia() throws Exception {
        if (endpoint != null) {
            endpoint.close();
        }
        TestIoc.unregister();
    }

    // ---- roles

    @Test
    void anonymousReadWorksOnLoopback() throws Exception {
        try (JolokiaClient client = client(null, null)) {
            JolokiaReadResponse r = client.execute(new JolokiaReadRequest(TEST_MBEAN, "Level"));
            assertNotNull(r.getValue());
        }
    }

    @Test
    void aPatternReadOfTwoThousandIocsReturnsEveryOne() throws Exception {
        // Jolokia cuts a collection at maxCollectionSize without a word: with a cap of 1,000, a
        // pattern read over 1,001 IOCs answered status 200 with 1,000 values.
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        int n = 2_001;
        List<ObjectName> names = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ObjectName name = new ObjectName("epics.ioc:type=Ioc,name=bulk" + i);
                server.registerMBean(new TestIoc(), name);
                names.add(name);
            }
            JSONObject answer = post("{\"type\":\"read\",\"mbean\":\"epics.ioc:type=Ioc,name=bulk*\",\"attribute\":\"Level\"}",
                    null, null, Map.of());
            assertEquals(200, ((Number) answer.get("status")).intValue(), answer.toString());
            assertEquals(n, ((Map<?, ?>) answer.get("value")).size(), "IOCs in one pattern read of " + n);
        } finally {
            for (ObjectName name : names) {
                server.unregisterMBean(name);
            }
        }
    }

    @Test
    void anonymousExecIsRefusedWithJsonStatus403() throws Exception {
        JSONObject answer = post(exec(TEST_MBEAN, "bump"), null, null, Map.of());
        assertEquals(403L, status(answer), answer.toJSONString());
    }

    @Test
    void operatorExecRunsAndIsAuditLogged() throws Exception {
        try (LogCapture audit = LogCapture.audit();
             JolokiaClient client = client(TestCredentials.OPERATOR, TestCredentials.OPERATOR_PASSWORD)) {
            int before = testIoc.getLevel();
            JolokiaExecResponse r = client.execute(new JolokiaExecRequest(TEST_MBEAN, "bump"), HttpMethod.POST);
            assertEquals(before + 1, ((Number) r.getValue()).intValue());
            String line = single(audit.awaitEnded(1));
            assertTrue(line.contains("surface=jolokia user=olivia role=operator remote=127.0.0.1 action=exec ioc=test"
                    + " mbean=\"epics.ioc:name=test,type=Ioc\" member=bump detail=[]"), line);
            assertTrue(line.contains("outcome=ok message=" + (before + 1)), line);
        }
    }

    @Test
    void viewerExecIsRefusedAndAuditedAsDenied() throws Exception {
        try (LogCapture audit = LogCapture.audit();
             JolokiaClient client = client(TestCredentials.VIEWER, TestCredentials.VIEWER_PASSWORD)) {
            JolokiaRemoteException e = assertThrows(JolokiaRemoteException.class,
                    () -> client.execute(new JolokiaExecRequest(TEST_MBEAN, "bump"), HttpMethod.POST));
            assertEquals(403, e.getStatus());
            String line = single(audit.awaitEnded(1));
            assertTrue(line.contains("user=victor role=viewer"), line);
            assertTrue(line.contains("outcome=denied message=\"operations need the operator role\""), line);
        }
    }

    @Test
    void operatorWriteIsAuditedWithTheValue() throws Exception {
        try (LogCapture audit = LogCapture.audit()) {
            JSONObject answer = post("{\"type\":\"write\",\"mbean\":\"" + TEST_MBEAN + "\",\"attribute\":\"Level\",\"value\":41}",
                    TestCredentials.OPERATOR, TestCredentials.OPERATOR_PASSWORD, Map.of());
            assertEquals(200L, status(answer), answer.toJSONString());
            assertEquals(41, testIoc.getLevel());
            String line = single(audit.awaitEnded(1));
            assertTrue(line.contains("action=write") && line.contains("member=Level detail=41 outcome=ok"), line);
        }
    }

    @Test
    void failedOperationIsAuditedWithTheError() throws Exception {
        try (LogCapture audit = LogCapture.audit()) {
            JSONObject answer = post(exec(TEST_MBEAN, "explode"), TestCredentials.OPERATOR,
                    TestCredentials.OPERATOR_PASSWORD, Map.of());
            assertEquals(500L, status(answer), answer.toJSONString());
            String line = single(audit.awaitEnded(1));
            assertTrue(line.contains("member=explode") && line.contains("outcome=failed"), line);
            assertTrue(line.contains("cannot do that"), line);
        }
    }

    @Test
    void bulkRequestIsAuditedOneLinePerOperation() throws Exception {
        try (LogCapture audit = LogCapture.audit()) {
            HttpResponse<String> r = send(postRequest("[" + exec(TEST_MBEAN, "bump") + "," + read(TEST_MBEAN, "Level")
                    + "," + exec(TEST_MBEAN, "explode") + "]", TestCredentials.OPERATOR, TestCredentials.OPERATOR_PASSWORD, Map.of()));
            assertEquals(200, r.statusCode(), r.body());
            List<String> lines = audit.awaitEnded(2);
            assertEquals(2, lines.size(), lines.toString());
            assertEquals(2, audit.lines().stream().filter(l -> l.contains("outcome=started")).count(),
                    "each operation also has its begin line: " + audit.lines());
            assertTrue(lines.get(0).contains("member=bump") && lines.get(0).contains("outcome=ok"), lines.get(0));
            assertTrue(lines.get(1).contains("member=explode") && lines.get(1).contains("outcome=failed")
                    && lines.get(1).contains("cannot do that"), lines.get(1));
        }
    }

    @Test
    void operatorExecByGetIsRefused() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(endpoint.url().resolve("exec/" + TEST_MBEAN + "/bump"))
                .header("Authorization", basic(TestCredentials.OPERATOR, TestCredentials.OPERATOR_PASSWORD)).GET());
        assertEquals(403L, status(json(r.body())), r.body());
    }

    @Test
    void wrongPasswordIsChallengedNotDowngradedToAnonymous() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(endpoint.url().resolve("version"))
                .header("Authorization", basic(TestCredentials.OPERATOR, "wrong")).GET());
        assertEquals(401, r.statusCode());
        assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm="));
    }

    // ---- policy

    @Test
    void javaLangMemoryCanBeRead() throws Exception {
        try (JolokiaClient client = client(null, null)) {
            JolokiaReadResponse r = client.execute(new JolokiaReadRequest("java.lang:type=Memory", "HeapMemoryUsage"));
            assertTrue(((Map<?, ?>) r.getValue()).containsKey("used"));
        }
    }

    @Test
    void otherJdkDomainsCannotBeRead() throws Exception {
        JSONObject answer = post("{\"type\":\"read\",\"mbean\":\"java.nio:type=BufferPool,name=direct\",\"attribute\":\"Count\"}",
                null, null, Map.of());
        assertEquals(403L, status(answer), answer.toJSONString());
    }

    @Test
    void diagnosticCommandExecIsDeniedEvenToOperators() throws Exception {
        JSONObject answer = post(exec("com.sun.management:type=DiagnosticCommand", "vmSystemProperties"),
                TestCredentials.OPERATOR, TestCredentials.OPERATOR_PASSWORD, Map.of());
        assertEquals(403L, status(answer), answer.toJSONString());
        JSONObject heapDump = post("{\"type\":\"exec\",\"mbean\":\"com.sun.management:type=HotSpotDiagnostic\","
                        + "\"operation\":\"dumpHeap\",\"arguments\":[\"" + dir.resolve("heap.hprof") + "\",true]}",
                TestCredentials.OPERATOR, TestCredentials.OPERATOR_PASSWORD, Map.of());
        assertEquals(403L, status(heapDump), heapDump.toJSONString());
        assertFalse(dir.resolve("heap.hprof").toFile().exists());
    }

    @Test
    void deniedDomainsAreHiddenFromSearch() throws Exception {
        JSONObject answer = post("{\"type\":\"search\",\"mbean\":\"com.sun.management:*\"}", null, null, Map.of());
        assertEquals(200L, status(answer), answer.toJSONString());
        assertEquals(List.of(), answer.get("value"));
    }

    // ---- proxy, CORS, JSONP, Host

    @Test
    void jsr160TargetIsNotFollowed() throws Exception {
        assertThrows(ClassNotFoundException.class, () -> Class.forName(JolokiaEndpoint.JSR160_HANDLER));
        try (ServerSocket trap = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             JolokiaClient client = client(TestCredentials.OPERATOR, TestCredentials.OPERATOR_PASSWORD)) {
            trap.setSoTimeout(500);
            String target = "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + trap.getLocalPort() + "/jmxrmi";
            JolokiaReadRequest read = new JolokiaReadRequest(new JolokiaTargetConfig(target, null, null),
                    "java.lang:type=Runtime", "Pid");
            JolokiaReadResponse r = client.execute(read, HttpMethod.POST);
            assertEquals(ProcessHandle.current().pid(), ((Number) r.getValue()).longValue(), "answered locally");
            assertThrows(SocketTimeoutException.class, trap::accept, "the agent must not connect to the target");
        }
    }

    @Test
    void foreignOriginIsRefused() throws Exception {
        JSONObject answer = post(read(TEST_MBEAN, "Level"), null, null, Map.of("Origin", "http://evil.example"));
        assertEquals(403L, status(answer), answer.toJSONString());
        JSONObject nullOrigin = post(read(TEST_MBEAN, "Level"), null, null, Map.of("Origin", "null"));
        assertEquals(403L, status(nullOrigin), nullOrigin.toJSONString());
    }

    @Test
    void configuredAndOwnOriginsAreAllowed() throws Exception {
        HttpResponse<String> r = send(postRequest(read(TEST_MBEAN, "Level"), null, null, Map.of("Origin", ALLOWED_ORIGIN)));
        assertEquals(200L, status(json(r.body())), r.body());
        assertEquals(ALLOWED_ORIGIN, r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        String own = "http://127.0.0.1:" + endpoint.address().getPort();
        assertEquals(200L, status(post(read(TEST_MBEAN, "Level"), null, null, Map.of("Origin", own))));
    }

    @Test
    void preflightFromForeignOriginGetsNoCorsGrant() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(endpoint.url())
                .header("Origin", "http://evil.example").header("Access-Control-Request-Method", "POST")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertNull(r.headers().firstValue("Access-Control-Allow-Origin").orElse(null), r.headers().toString());
    }

    @Test
    void jsonpIsRefused() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(endpoint.url().resolve("version?callback=steal")).GET());
        assertEquals(403, r.statusCode());
    }

    @Test
    void dnsRebindingHostIsRefusedOnLoopback() throws Exception {
        String status = rawGet("/jolokia/version", "evil.example:" + endpoint.address().getPort());
        assertTrue(status.startsWith("HTTP/1.1 403"), status);
        assertTrue(rawGet("/jolokia/version", "localhost:" + endpoint.address().getPort()).startsWith("HTTP/1.1 200"));
    }

    // ---- notifications

    @Test
    void pullModeNotificationClientReceivesAttributeChanges() throws Exception {
        JSONObject registered = post("{\"type\":\"notification\",\"command\":\"register\"}", null, null, Map.of());
        assertEquals(200L, status(registered), registered.toJSONString());
        JSONObject value = (JSONObject) registered.get("value");
        String client = (String) value.get("id");
        String store = (String) ((Map<?, ?>) ((Map<?, ?>) value.get("backend")).get("pull")).get("store");
        assertEquals("jolokia:type=NotificationStore,agent=" + endpoint.agentId(), store);

        JSONObject added = post("{\"type\":\"notification\",\"command\":\"add\",\"client\":\"" + client
                + "\",\"mode\":\"pull\",\"mbean\":\"" + TEST_MBEAN + "\"}", null, null, Map.of());
        assertEquals(200L, status(added), added.toJSONString());
        String handle = String.valueOf(added.get("value"));

        int now = testIoc.bump();

        JSONObject pulled = post("{\"type\":\"exec\",\"mbean\":\"" + store + "\",\"operation\":\"pull\","
                + "\"arguments\":[\"" + client + "\",\"" + handle + "\"]}", null, null, Map.of());
        assertEquals(200L, status(pulled), pulled.toJSONString());
        JSONArray notifications = (JSONArray) ((Map<?, ?>) pulled.get("value")).get("notifications");
        Map<?, ?> change = (Map<?, ?>) notifications.get(notifications.size() - 1);
        assertEquals("Level", change.get("attributeName"));
        assertEquals((long) now, ((Number) change.get("newValue")).longValue());
    }

    // ---- binding

    @Test
    void nonLoopbackBindWithoutCredentialsIsRefused() {
        EndpointException e = assertThrows(EndpointException.class, () -> JolokiaEndpoint.start(
                new JolokiaSettings("0.0.0.0", 0, null, ShippedPolicy.path(), List.of(), 1), null));
        assertTrue(e.getMessage().contains("refusing to listen on 0.0.0.0"), e.getMessage());
        assertTrue(e.hints().get(0).startsWith("-> "), e.hints().toString());
    }

    @Test
    void nonLoopbackBindWarnsWithoutTlsChallengesAnonymousAndServesOperators() throws Exception {
        try (LogCapture log = new LogCapture(JolokiaEndpoint.class.getName());
             JolokiaEndpoint open = JolokiaEndpoint.start(
                new JolokiaSettings("0.0.0.0", 0, null, ShippedPolicy.path(), List.of(), 1), credentials)) {
            assertTrue(log.lines(Level.WARNING).stream().anyMatch(l -> l.contains("without TLS")), log.lines().toString());
            URI url = URI.create("http://127.0.0.1:" + open.address().getPort() + "/jolokia/");
            HttpResponse<String> anonymous = send(HttpRequest.newBuilder(url.resolve("version")).GET());
            assertEquals(401, anonymous.statusCode());
            HttpResponse<String> operator = send(HttpRequest.newBuilder(url.resolve("version"))
                    .header("Authorization", basic(TestCredentials.OPERATOR, TestCredentials.OPERATOR_PASSWORD)).GET());
            assertEquals(200L, status(json(operator.body())), operator.body());
        }
    }

    // ---- helpers

    private static JolokiaClient client(String user, String password) {
        JolokiaClientBuilder b = new JolokiaClientBuilder().url(endpoint.url().toString());
        if (user != null) {
            b.user(user).password(password);
        }
        return b.build();
    }

    private static String exec(String mbean, String operation) {
        return "{\"type\":\"exec\",\"mbean\":\"" + mbean + "\",\"operation\":\"" + operation + "\",\"arguments\":[]}";
    }

    private static String read(String mbean, String attribute) {
        return "{\"type\":\"read\",\"mbean\":\"" + mbean + "\",\"attribute\":\"" + attribute + "\"}";
    }

    private static JSONObject post(String body, String user, String password, Map<String, String> headers)
            throws Exception {
        HttpResponse<String> r = send(postRequest(body, user, password, headers));
        assertEquals(200, r.statusCode(), "Jolokia answers with HTTP 200 and a JSON status: " + r.body());
        return json(r.body());
    }

    private static HttpRequest.Builder postRequest(String body, String user, String password, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint.url())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (user != null) {
            b.header("Authorization", basic(user, password));
        }
        headers.forEach(b::header);
        return b;
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JSONObject json(String body) throws Exception {
        return (JSONObject) new JSONParser().parse(body);
    }

    private static long status(JSONObject answer) {
        return ((Number) answer.get("status")).longValue();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String single(List<String> lines) {
        assertEquals(1, lines.size(), "audit lines: " + lines);
        return lines.get(0);
    }

    /** The status line of a GET sent with a chosen Host header (HttpClient refuses to set Host). */
    private static String rawGet(String path, String host) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), endpoint.address().getPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != -1 && c != '\r'; c = in.read()) {
                line.append((char) c);
            }
            return line.toString();
        }
    }
}
