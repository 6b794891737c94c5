package io.iocagent.ops;

import io.iocagent.conf.ConfFile;
import io.iocagent.conf.ConfSyntaxException;
import io.iocagent.conf.ConfValidator;
import io.iocagent.conf.ValidationContext;
import io.iocagent.conf.ValidationReport;

/** Runs the configuration rules and reports them the way the seed's {@code validate_conf} does. */
final class Validation {

    private Validation() {
    }

    /**
     * Parses and validates {@code text}, naming it {@code display} in every message; prints the
     * report; returns the parsed file when it passed.
     *
     * @throws OperationException (already reported) on a syntax error or any rule violation
     */
    static ConfFile require(Session session, String text, String display) throws OperationException {
        Terminal t = session.terminal();
        t.out("Validating configuration file: " + display + "...");
        ConfFile conf;
        try {
            conf = ConfFile.parse(text, display);
        } catch (ConfSyntaxException e) {
            t.err("Error: " + e.getMessage());
            t.err("  -> Each line must be KEY=\"VALUE\" or a # comment; fix the line and try again.");
            throw OperationException.alreadyReported("Syntax error in " + display);
        }
        conf.warnings().forEach(w -> t.err("Warning: " + w));
        ValidationReport report = ConfValidator.validate(conf,
                new ValidationContext(session.mode(), session.layout().identity(), session.searchPath()));
        if (!report.passed()) {
            for (ValidationReport.Problem p : report.errors()) {
                t.err("Error: " + p.message());
                p.hints().forEach(h -> t.err("  " + h));
            }
            int n = report.errors().size();
            t.err("Validation failed with " + n + " error" + (n == 1 ? "" : "s") + ". Installation aborted.");
            throw OperationException.alreadyReported("Validation of " + display + " failed with " + n + " errors");
        }
        t.out("Validation passed successfully.");
        return conf;
    }
}
