package io.iocagent.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.jmx.CredentialsFile;
import io.iocagent.ops.LogCapture;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.management.ObjectName;
import org.jolokia.client.JolokiaClient;
import org.jolokia.client.JolokiaClientBuilder;
import org.jolokia.client.JolokiaQueryParameter;
import org.jolokia.client.exception.JolokiaRemoteException;
import org.jolokia.client.request.HttpMethod;
import org.jolokia.client.request.JolokiaExecRequest;
import org.jolokia.client.request.JolokiaReadRequest;
import org.jolokia.client.response.JolokiaExecResponse;
import org.jolokia.client.response.JolokiaReadResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Jolokia Java client ({@code org.jolokia:jolokia-client-java}) used the ordinary way against
 * the agent's Jolokia: a pattern read looked up by {@code ObjectName} (the agent answers with
 * canonical keys by default; a stock 2.6 agent answers in registration order, which the client's
 * {@code getValue(ObjectName, attribute)} cannot find), reads as a viewer, operations by POST as an
 * operator, and the refusals with an error that says what to do.
 */
class JolokiaJavaClientIT {

    private static final String SECOND = "epics.ioc:type=Ioc,name=test2";

    @TempDir
    static Path dir;

    private static TestIoc first;
    private static JolokiaEndpoint endpoint;

    @BeforeAll
    static void start() throws Exception {
        first = TestIoc.register();
        first.setLevel(7);
        TestIoc second = new TestIoc();
        second.setLevel(9);
        ManagementFactory.getPlatformMBeanServer().registerMBean(second, new ObjectName(SECOND));
        CredentialsFile credentials = TestCredentials.load(dir);
        endpoint = JolokiaEndpoint.start(new JolokiaSettings("127.0.0.1", 0, null, ShippedPolicy.path(), List.of(), 4),
                credentials);
    }

    @AfterAll
    static void stop() throws Exception {
        if (endpoint != null) {
            endpoint.close();
        }
        TestIoc.unregister();
        if (ManagementFactory.getPlatformMBeanServer().isRegistered(new ObjectName(SECOND))) {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(new ObjectName(SECOND));
        }
    }

    private static JolokiaClient client(String user, String password) {
        JolokiaClientBuilder b = new JolokiaClientBuilder().url(endpoint.url().toString());
        if (user != null) {
            b.user(user).password(password);
        }
        return b.build();
    }

    @Test
    void aPatternReadIsLookedUpByTheObjectNamesTheMBeansWereRegisteredUnder() throws Exception {
        try (JolokiaClient client = client(null, null)) {
            JolokiaReadResponse r = client.execute(new JolokiaReadRequest("epics.ioc:type=Ioc,name=test*", "Level"));
            assertEquals(7, ((Number) r.getValue(new ObjectName(TestIoc.NAME), "Level")).intValue());
            assertEquals(9, ((Number) r.getValue(new ObjectName(SECOND), "Level")).intValue());
            Set<String> keys = new TreeSet<>();
            r.getObjectNames().forEach(n -> keys.add(n.toString()));
            assertEquals(Set.of("epics.ioc:name=test,type=Ioc", "epics.ioc:name=test2,type=Ioc"), keys,
                    "canonical keys (properties sorted), as JMX tools expect");
        }
    }

    @Test
    void aClientThatAsksForRegistrationOrderGetsIt() throws Exception {
        try (JolokiaClient client = client(null, null)) {
            JolokiaReadResponse r = client.execute(new JolokiaReadRequest("epics.ioc:type=Ioc,name=test*", "Level"),
                    Map.of(JolokiaQueryParameter.CANONICAL_NAMING, "false"));
            Set<String> keys = new TreeSet<>();
            r.getObjectNames().forEach(n -> keys.add(n.getKeyPropertyListString()));
            assertEquals(Set.of("type=Ioc,name=test", "type=Ioc,name=test2"), keys);
        }
    }

    @Test
    void aViewerReadsOneAttributeAndAPattern() throws Exception {
        try (JolokiaClient client = client(TestCredentials.VIEWER, TestCredentials.VIEWER_PASSWORD)) {
            JolokiaReadResponse one = client.execute(new JolokiaReadRequest(TestIoc.NAME, "Level"));
            assertEquals(7, ((Number) one.getValue()).intValue());
            JolokiaReadResponse heap = client.execute(new JolokiaReadRequest("java.lang:type=Memory", "HeapMemoryUsage"));
            Map<?, ?> usage = heap.getValue();
            assertTrue(usage.containsKey("used"), usage.toString());
        }
    }

    @Test
    void anOperatorRunsAnOperationByPostAndItIsAudited() throws Exception {
        try (LogCapture audit = LogCapture.audit();
             JolokiaClient client = client(TestCredentials.OPERATOR, TestCredentials.OPERATOR_PASSWORD)) {
            int before = first.getLevel();
            JolokiaExecResponse r = client.execute(new JolokiaExecRequest(TestIoc.NAME, "bump"), HttpMethod.POST);
            assertEquals(before + 1, ((Number) r.getValue()).intValue());
            assertTrue(audit.awaitEnded(1).get(0).contains("user=olivia role=operator"), audit.lines().toString());
        }
    }

    @Test
    void anOperationSentByTheClientsDefaultMethodIsRefusedWithTheCallThatWorks() throws Exception {
        try (JolokiaClient client = client(TestCredentials.OPERATOR, TestCredentials.OPERATOR_PASSWORD)) {
            int before = first.getLevel();
            JolokiaRemoteException e = assertThrows(JolokiaRemoteException.class,
                    () -> client.execute(new JolokiaExecRequest(TestIoc.NAME, "bump")));
            assertEquals(403, e.getStatus());
            assertTrue(e.getMessage().contains("operations must be sent by POST")
                    && e.getMessage().contains("client.execute(request, HttpMethod.POST)"), e.getMessage());
            assertEquals(before, first.getLevel(), "nothing ran");
        }
    }

    @Test
    void aViewersOperationIsRefusedSayingWhichRoleItNeeds() throws Exception {
        try (JolokiaClient client = client(TestCredentials.VIEWER, TestCredentials.VIEWER_PASSWORD)) {
            int before = first.getLevel();
            JolokiaRemoteException e = assertThrows(JolokiaRemoteException.class,
                    () -> client.execute(new JolokiaExecRequest(TestIoc.NAME, "bump"), HttpMethod.POST));
            assertEquals(403, e.getStatus());
            assertTrue(e.getMessage().contains("Operation bump of epics.ioc:name=test,type=Ioc refused: operations need"
                    + " the operator role"), e.getMessage());
            assertEquals(before, first.getLevel(), "nothing ran");
        }
    }

    @Test
    void aViewerGetsThreadInfoAndDeadlocksButNoGc() throws Exception {
        try (JolokiaClient client = client(TestCredentials.VIEWER, TestCredentials.VIEWER_PASSWORD)) {
            long main = Thread.currentThread().getId();
            JolokiaExecResponse info = client.execute(new JolokiaExecRequest("java.lang:type=Threading",
                    "getThreadInfo(long)", main), HttpMethod.POST);
            assertEquals(Thread.currentThread().getName(), ((Map<?, ?>) info.getValue()).get("threadName"));
            JolokiaExecResponse deadlocked = client.execute(new JolokiaExecRequest("java.lang:type=Threading",
                    "findDeadlockedThreads"));
            assertEquals(null, (Object) deadlocked.getValue(), "no deadlock; by the client's default method too");
            JolokiaRemoteException gc = assertThrows(JolokiaRemoteException.class,
                    () -> client.execute(new JolokiaExecRequest("java.lang:type=Memory", "gc"), HttpMethod.POST));
            assertEquals(403, gc.getStatus());
        }
    }
}
