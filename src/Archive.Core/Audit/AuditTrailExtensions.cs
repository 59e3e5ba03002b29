using Microsoft.Extensions.Logging;

namespace Archive.Audit;

/// <summary>Appending to an <see cref="IAuditTrail"/> where a failing trail must not change the answer.</summary>
public static partial class AuditTrailExtensions
{
    /// <summary>
    /// Appends <paramref name="auditEvent"/>, best effort: when the trail fails, the failure is logged and not thrown.
    /// For refusals (an access denied, an authentication failed), whose answer must stay a refusal even when the trail
    /// is unavailable; reads and changes append strictly.
    /// </summary>
    /// <param name="trail">The audit trail.</param>
    /// <param name="auditEvent">The event.</param>
    /// <param name="logger">Where a failure to append is logged (event <c>BestEffortAuditAppendFailed</c>); none when null.</param>
    /// <param name="cancellationToken">Cancels the append (a cancelled append is logged like a failed one).</param>
    /// <returns>A task that completes when the event is appended or the failure logged.</returns>
    public static async ValueTask AppendBestEffortAsync(this IAuditTrail trail, AuditEvent auditEvent, ILogger? logger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trail);
        ArgumentNullException.ThrowIfNull(auditEvent);
        try
        {
            await trail.AppendAsync(auditEvent, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Best effort: a failing trail must not change the answer to a refused call.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (logger is not null)
            {
                LogAppendFailed(logger, auditEvent.Action, ex);
            }
        }
    }

    [LoggerMessage(EventId = 1950, EventName = "BestEffortAuditAppendFailed", Level = LogLevel.Error, Message = "Could not append the audit event {Action}.")]
    private static partial void LogAppendFailed(ILogger logger, string action, Exception exception);
}
