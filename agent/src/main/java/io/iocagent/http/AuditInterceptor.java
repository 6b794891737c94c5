package io.iocagent.http;

import java.util.List;
import org.jolokia.json.JSONObject;
import org.jolokia.server.core.request.JolokiaExecRequest;
import org.jolokia.server.core.request.JolokiaRequest;
import org.jolokia.server.core.request.JolokiaWriteRequest;
import org.jolokia.server.core.service.api.AbstractJolokiaService;
import org.jolokia.server.core.service.request.RequestInterceptor;

/**
 * Tells the {@link RequestScope} which operations succeeded, with their arguments and result.
 * Jolokia calls interceptors after a request succeeded only (BackendManager 2.6.0); failures are
 * found by {@link RequestFilter} as allowed attempts never marked here. Stateless, thread-safe.
 */
final class AuditInterceptor extends AbstractJolokiaService<RequestInterceptor> implements RequestInterceptor {

    AuditInterceptor() {
        super(RequestInterceptor.class, 0);
    }

    @Override
    public void intercept(JolokiaRequest request, JSONObject response) {
        RequestScope.current().ifPresent(scope -> {
            Object value = response.get("value");
            if (request instanceof JolokiaExecRequest exec) {
                if (!RoleRestrictor.readOnlyOperation(exec.getObjectName(), exec.getOperation())) {
                    List<?> arguments = exec.getArguments() == null ? List.of() : exec.getArguments();
                    scope.succeeded("exec", exec.getObjectName(), exec.getOperation(), arguments,
                            String.valueOf(arguments), String.valueOf(value));
                }
            } else if (request instanceof JolokiaWriteRequest write) {
                scope.succeeded("write", write.getObjectName(), write.getAttributeName(), List.of(),
                        String.valueOf(write.getValue()), "previous value " + value);
            }
        });
    }
}
