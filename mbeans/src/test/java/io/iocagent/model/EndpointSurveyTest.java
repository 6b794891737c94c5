package io.iocagent.model;

import static io.iocagent.model.HandMadeSockets.LO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.netlink.InetSocket;
import io.iocagent.netlink.UnixSocket;
import io.iocagent.proc.ProcessTable;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which sockets and connections a survey takes as an IOC's, and what it reads again, over
 * hand-made socket tables and a hand-made {@code /proc} and cgroup tree.
 */
class EndpointSurveyTest {

    private final HandMadeSockets table = new HandMadeSockets();

    private InetSocket listener(int port, int backlog) {
        return table.listener(port, backlog);
    }

    private InetSocket udp(int port) {
        return table.udp(port);
    }

    private InetSocket connection(InetAddress local, int localPort, InetAddress remote, int remotePort) {
        return table.connection(local, localPort, remote, remotePort);
    }

    @TempDir
    Path root;

    private Path proc() {
        return root.resolve("proc");
    }

    /** Process {@code pid} holding exactly the sockets {@code inodes} (its descriptors replaced). */
    private void process(int pid, long... inodes) throws IOException {
        Path fd = proc().resolve(Integer.toString(pid)).resolve("fd");
        if (Files.isDirectory(fd)) {
            try (var links = Files.list(fd)) {
                for (Path link : links.toList()) {
                    Files.delete(link);
                }
            }
        }
        Files.createDirectories(fd);
        Files.createSymbolicLink(fd.resolve("0"), Path.of("pipe:[7]")); // not a socket
        for (int i = 0; i < inodes.length; i++) {
            Files.createSymbolicLink(fd.resolve(Integer.toString(i + 3)), Path.of("socket:[" + inodes[i] + "]"));
        }
    }

    /** Control group {@code /NAME.service} holding {@code pids}. */
    private String group(String name, int... pids) throws IOException {
        Path dir = Files.createDirectories(root.resolve("cgroup").resolve(name + ".service"));
        Files.writeString(dir.resolve("cgroup.procs"),
                Arrays.stream(pids).mapToObj(p -> p + "\n").collect(Collectors.joining()));
        return "/" + name + ".service";
    }

    private EndpointSurvey survey() {
        return new EndpointSurvey(ProcessTable.over(proc(), root.resolve("cgroup")));
    }

    /** IOC "a", process 101 holding the listener {@code ca}, surveyed once; its control groups. */
    private Map<String, String> servingCaSurveyedOnce(EndpointSurvey survey, InetSocket ca) throws IOException {
        process(101, ca.inode());
        Map<String, String> groups = Map.of("a", group("a", 101));
        survey.takeUnits(groups, Map.of(), dump(ca));
        return groups;
    }

    private static List<InetSocket> dump(InetSocket... sockets) {
        return List.of(sockets);
    }

    @Test
    void aSteadyFleetIsSurveyedAgainWithoutReadingADescriptor() throws IOException {
        InetSocket ca = listener(5064, 20);
        InetSocket search = udp(5064);
        process(101, ca.inode(), search.inode());
        process(100); // procServ
        Map<String, String> groups = Map.of("a", group("a", 100, 101));
        Map<String, Integer> mains = Map.of("a", 100);
        EndpointSurvey survey = survey();
        Map<String, IocEndpoints> first = survey.takeUnits(groups, mains, dump(ca, search));
        long walks = survey.walks();
        assertEquals(2, walks, "the first survey reads the IOC's process and procServ");
        for (int i = 0; i < 3; i++) {
            assertEquals(first, survey.takeUnits(groups, mains, dump(ca, search)));
        }
        assertEquals(walks, survey.walks(), "surveys of an unchanged IOC read no descriptor");
        assertEquals(5064, first.get("a").caServerPort());
    }

    @Test
    void clientsThatComeAndGoAreFoundInTheDumpAlone() throws IOException {
        InetSocket ca = listener(5064, 20);
        EndpointSurvey survey = survey();
        Map<String, String> groups = servingCaSurveyedOnce(survey, ca);
        long walks = survey.walks();
        InetSocket accepted = connection(LO, 5064, LO, 43210);
        InetSocket peer = connection(LO, 43210, LO, 5064);
        process(101, ca.inode(), accepted.inode());
        process(4242, peer.inode()); // camonitor
        IocEndpoints with = survey.takeUnits(groups, Map.of(), dump(ca, accepted, peer)).get("a");
        assertEquals(List.of(new NetworkClient("127.0.0.1", 43210, 4242)), with.caClients(), "camonitor connected");
        IocEndpoints without = survey.takeUnits(groups, Map.of(), dump(ca)).get("a");
        assertEquals(List.of(), without.caClients(), "camonitor gone");
        assertEquals(walks, survey.walks(), "a client coming and going reads no descriptor of the IOC");
    }

    @Test
    void aConnectionNotYetAcceptedIsNoClient() throws IOException {
        InetSocket ca = listener(5064, 20);
        process(101, ca.inode());
        InetSocket queued = new InetSocket(InetSocket.Protocol.TCP, UnixSocket.State.ESTABLISHED, LO, 5064, LO, 43999,
                0, 0, 0, 0); // in the accept queue of a hung IOC: no descriptor, inode 0
        IocEndpoints e = survey().takeUnits(Map.of("a", group("a", 101)), Map.of(), dump(ca, queued)).get("a");
        assertEquals(List.of(), e.caClients(), "only connections the IOC accepted count");
    }

    @Test
    void aServerThatStartsAfterTheFirstSurveyIsFoundAtTheNext() throws IOException {
        process(101); // st.cmd still running: no server yet
        Map<String, String> groups = Map.of("a", group("a", 101));
        EndpointSurvey survey = survey();
        assertEquals(IocEndpoints.NONE, survey.takeUnits(groups, Map.of(), dump()).get("a"));
        InetSocket ca = listener(5064, 20);
        InetSocket pva = listener(5075, 4);
        process(101, ca.inode(), pva.inode()); // iocInit
        IocEndpoints e = survey.takeUnits(groups, Map.of(), dump(ca, pva)).get("a");
        assertEquals(5064, e.caServerPort(), "CA server started after the first survey: " + e);
        assertEquals(5075, e.pvaServerPort(), "PVA server started after the first survey: " + e);
    }

    @Test
    void aServerTheWalkSawBeforeTheDumpDidIsTakenWithoutAnotherWalk() throws IOException {
        InetSocket ca = listener(5064, 20);
        process(101, ca.inode()); // listening already when its descriptors are read, not yet in the dump
        Map<String, String> groups = Map.of("a", group("a", 101));
        EndpointSurvey survey = survey();
        assertEquals(IocEndpoints.NONE, survey.takeUnits(groups, Map.of(), dump()).get("a"));
        long walks = survey.walks();
        assertEquals(5064, survey.takeUnits(groups, Map.of(), dump(ca)).get("a").caServerPort());
        assertEquals(walks, survey.walks(), "the socket the walk saw is known when the dump shows it");
    }

    @Test
    void aRestartedChildIsReadAgainAndItsOldServerForgotten() throws IOException {
        InetSocket oldCa = listener(5064, 20);
        process(101, oldCa.inode());
        process(100);
        EndpointSurvey survey = survey();
        Map<String, Integer> mains = Map.of("a", 100);
        assertEquals(5064, survey.takeUnits(Map.of("a", group("a", 100, 101)), mains, dump(oldCa)).get("a").caServerPort());
        InetSocket newCa = listener(41000, 20); // the child restarted; another IOC took 5064 meanwhile
        process(102, newCa.inode());
        InetSocket foreign = listener(5064, 20);
        IocEndpoints e = survey.takeUnits(Map.of("a", group("a", 100, 102)), mains, dump(newCa, foreign)).get("a");
        assertEquals(41000, e.caServerPort(), "the new child's server, not the old port: " + e);
    }

    @Test
    void procServsControlPortIsNoServerAndNoReasonToReadAgain() throws IOException {
        InetSocket control = listener(4051, 1); // procServ's TCP console port
        InetSocket ca = listener(5064, 20);
        process(100, control.inode());
        process(101, ca.inode());
        Map<String, String> groups = Map.of("a", group("a", 100, 101));
        Map<String, Integer> mains = Map.of("a", 100);
        EndpointSurvey survey = survey();
        IocEndpoints e = survey.takeUnits(groups, mains, dump(control, ca)).get("a");
        long walks = survey.walks();
        survey.takeUnits(groups, mains, dump(control, ca));
        assertEquals(walks, survey.walks(), "procServ's listener is known: no reading again");
        InetSocket console = connection(LO, 4051, LO, 50000);
        process(100, control.inode(), console.inode());
        e = survey.takeUnits(groups, mains, dump(control, ca, console)).get("a");
        assertEquals(List.of(), e.caClients(), "a console client of procServ is no CA client: " + e);
        assertEquals(5064, e.caServerPort());
    }

    @Test
    void aForeignServerReadsEveryIocOnceNotAtEverySurvey() throws IOException {
        InetSocket ca = listener(5064, 20);
        process(101, ca.inode());
        process(102);
        Map<String, String> groups = Map.of("a", group("a", 101), "b", group("b", 102));
        EndpointSurvey survey = survey();
        survey.takeUnits(groups, Map.of(), dump(ca));
        long walks = survey.walks();
        InetSocket otherIoc = listener(41234, 20); // a CA server no IOC of this agent is known to hold
        survey.takeUnits(groups, Map.of(), dump(ca, otherIoc));
        assertEquals(walks + 2, survey.walks(), "a possible server nobody known holds: every IOC read once");
        for (int i = 0; i < 3; i++) {
            survey.takeUnits(groups, Map.of(), dump(ca, otherIoc));
        }
        assertEquals(walks + 2, survey.walks(), "the same foreign server is not a reason to read again");
    }

    @Test
    void listenersThatCannotServeCaOrPvaComeAndGoWithoutAWalk() throws IOException {
        InetSocket ca = listener(5064, 20);
        EndpointSurvey survey = survey();
        Map<String, String> groups = servingCaSurveyedOnce(survey, ca);
        long walks = survey.walks();
        for (int i = 0; i < 50; i++) { // a busy host: web and test servers, CA clients' UDP sockets
            survey.takeUnits(groups, Map.of(), dump(ca, listener(30000 + i, 50), listener(31000 + i, 4096),
                    udp(45000 + i)));
        }
        assertEquals(walks, survey.walks(), "other programs' listeners and UDP sockets made the survey read descriptors");
    }

    @Test
    void anIocLeftOutOfASurveyIsReadWhenAskedAgainAfterAForeignServerAppeared() throws IOException {
        process(101);
        process(102);
        String a = group("a", 101);
        String b = group("b", 102);
        EndpointSurvey survey = survey();
        survey.takeUnits(Map.of("a", a, "b", b), Map.of(), dump());
        InetSocket ca = listener(5064, 20);
        process(102, ca.inode()); // b's server starts
        survey.takeUnits(Map.of("a", a), Map.of(), dump(ca)); // a survey of a alone (its unit changed)
        IocEndpoints e = survey.takeUnits(Map.of("a", a, "b", b), Map.of(), dump(ca)).get("b");
        assertEquals(5064, e.caServerPort(), "b's server, first seen by a survey that left b out: " + e);
    }

    @Test
    void iocsListeningOnOneSharedPortHaveTheirClientsToldApartByDescriptors() throws IOException {
        InetSocket caA = listener(5064, 20); // SO_REUSEPORT: two listeners on one address and port
        InetSocket caB = listener(5064, 20);
        InetSocket toA = connection(LO, 5064, LO, 43000);
        InetSocket toB = connection(LO, 5064, LO, 43001);
        process(101, caA.inode(), toA.inode());
        process(102, caB.inode(), toB.inode());
        Map<String, IocEndpoints> e = survey().takeUnits(Map.of("a", group("a", 101), "b", group("b", 102)), Map.of(),
                dump(caA, caB, toA, toB));
        assertEquals(List.of(43000), e.get("a").caClients().stream().map(NetworkClient::port).toList(), "a: " + e);
        assertEquals(List.of(43001), e.get("b").caClients().stream().map(NetworkClient::port).toList(), "b: " + e);
    }

    @Test
    void aListenerOnOneAddressOwnsOnlyConnectionsToThatAddress() throws IOException {
        InetAddress second = HandMadeSockets.address(127, 0, 0, 2);
        InetSocket caA = table.listener(LO, 5064, 20);
        InetSocket caB = table.listener(second, 5064, 20);
        InetSocket toB = connection(second, 5064, LO, 43001);
        process(101, caA.inode());
        process(102, caB.inode(), toB.inode());
        EndpointSurvey survey = survey();
        Map<String, IocEndpoints> e = survey.takeUnits(Map.of("a", group("a", 101), "b", group("b", 102)), Map.of(),
                dump(caA, caB, toB));
        assertEquals(List.of(), e.get("a").caClients(), "a listens on 127.0.0.1 only: " + e);
        assertEquals(1, e.get("b").caClients().size(), "b: " + e);
        assertTrue(survey.walks() <= 2, "addresses tell the connection apart without descriptors: " + survey.walks());
    }
}
