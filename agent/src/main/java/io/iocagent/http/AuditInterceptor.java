package io.iocagent.http;

import io.iocagent.ops.AuditLog;
import java.util.List;
import java.util.Map;
import org.jolokia.json.JSONObject;
import org.jolokia.server.core.backend.BackendManager;
import org.jolokia.server.core.request.JolokiaExecRequest;
import org.jolokia.server.core.request.JolokiaNotificationRequest;
import org.jolokia.server.core.request.JolokiaRequest;
import org.jolokia.server.core.request.JolokiaRequestFactory;
import org.jolokia.server.core.request.JolokiaWriteRequest;
import org.jolokia.server.core.request.ProcessingParameters;
import org.jolokia.server.core.request.notification.ClientCommand;
import org.jolokia.server.core.request.notification.NotificationCommand;
import org.jolokia.server.core.request.notification.NotificationCommandType;
import org.jolokia.server.core.service.api.AbstractJolokiaService;
import org.jolokia.server.core.service.api.JolokiaContext;
import org.jolokia.server.core.service.request.RequestInterceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sees every request Jolokia completed: tells the {@link RequestScope} which operations succeeded,
 * with their arguments and result, and keeps the {@link NotificationQuota} books (registered ids,
 * listeners, pulls). Jolokia calls interceptors after a request succeeded only (BackendManager
 * 2.6.0); failures are found by {@link RequestFilter} as allowed attempts never marked here.
 * Also the agent's way into Jolokia's backend, to unregister stale notification clients.
 * Thread-safe.
 */
final class AuditInterceptor extends AbstractJolokiaService<RequestInterceptor> implements RequestInterceptor {

    private static final Logger LOG = LoggerFactory.getLogger(AuditInterceptor.class);

    private volatile BackendManager backend;

    AuditInterceptor() {
        super(RequestInterceptor.class, 0);
    }

    @Override
    public void init(JolokiaContext context) {
        super.init(context);
        backend = new BackendManager(context);
    }

    @Override
    public void intercept(JolokiaRequest request, JSONObject response) {
        RequestScope.current().ifPresent(scope -> {
            Object value = response.get("value");
            if (request instanceof JolokiaExecRequest exec) {
                List<?> arguments = exec.getArguments() == null ? List.of() : exec.getArguments();
                if (!RoleRestrictor.readOnlyOperation(exec.getObjectName(), exec.getOperation())) {
                    scope.succeeded("exec", exec.getObjectName(), exec.getOperation(), arguments,
                            AuditLog.render(arguments), String.valueOf(value));
                } else if (RoleRestrictor.notificationPull(exec.getObjectName(), exec.getOperation())
                        && !arguments.isEmpty() && arguments.get(0) != null) {
                    scope.notifications().seen(arguments.get(0).toString());
                }
            } else if (request instanceof JolokiaWriteRequest write) {
                scope.succeeded("write", write.getObjectName(), write.getAttributeName(), List.of(),
                        String.valueOf(write.getValue()), "previous value " + value);
            } else if (request instanceof JolokiaNotificationRequest n) {
                noteNotification(scope, n.getCommand(), value);
            }
        });
    }

    private static void noteNotification(RequestScope scope, NotificationCommand command, Object value) {
        NotificationCommandType type = command.getType();
        String client = command instanceof ClientCommand c ? c.getClient() : null;
        if (type == NotificationCommandType.REGISTER && value instanceof Map<?, ?> m && m.get("id") != null) {
            scope.registered(m.get("id").toString());
        } else if (client != null) {
            switch (type) {
                case ADD -> scope.notifications().added(client);
                case REMOVE -> scope.notifications().removed(client);
                case UNREGISTER -> scope.notifications().unregistered(client);
                default -> scope.notifications().seen(client);
            }
        }
    }

    /** Unregisters notification client {@code id} inside Jolokia (its listeners and stored notifications go). */
    void unregister(String id) {
        BackendManager b = backend;
        if (b == null) {
            return;
        }
        JSONObject json = new JSONObject();
        json.put("type", "notification");
        json.put("command", "unregister");
        json.put("client", id);
        try {
            JolokiaRequest r = JolokiaRequestFactory.createPostRequest(json, new ProcessingParameters(Map.of()));
            b.handleRequest(r);
        } catch (Exception e) {
            LOG.debug("notification client {} was already gone", id, e);
        }
    }
}
