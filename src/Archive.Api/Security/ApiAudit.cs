using Archive.Audit;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Archive.Api.Security;

/// <summary>
/// Appends authentication failures (an HTTP matter: the scheme that refused the credentials) to the host's
/// <see cref="IAuditTrail"/> when one is registered, best effort (logged when the trail fails) so that an unavailable
/// trail cannot turn a refusal into something else. Reads and access refusals are audited by the engine's
/// <see cref="Archive.Security.IArchiveAccessPolicy"/> (see <see cref="ArchiveScope"/>).
/// </summary>
internal static partial class ApiAudit
{
    /// <summary>An authentication failure: the scheme and reason, the client address, never the presented secret.</summary>
    public static ValueTask AuthenticationFailedAsync(HttpContext http, string scheme, string reason)
        => AppendAsync(http, new AuditEvent
        {
            Action = AuditActions.AuthenticationFailed,
            Actor = "anonymous",
            ObjectType = "authentication",
            ObjectId = scheme,
            Outcome = AuditOutcome.Denied,
            Detail = reason,
            ClientAddress = ClientAddress(http),
        });

    public static string? ClientAddress(HttpContext http) => HttpCaller.ClientAddress(http);

    private static async ValueTask AppendAsync(HttpContext http, AuditEvent auditEvent)
    {
        var trail = http.RequestServices.GetService<IAuditTrail>();
        if (trail is null)
        {
            return;
        }

        try
        {
            await trail.AppendAsync(auditEvent, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Best effort: a failing trail must not change the answer to a refused request.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (http.RequestServices.GetService<ILoggerFactory>()?.CreateLogger("Archive.Api.Audit") is { } logger)
            {
                LogFailed(logger, auditEvent.Action, ex);
            }
        }
    }

    [LoggerMessage(EventId = 6100, EventName = "ApiAuditAppendFailed", Level = LogLevel.Error, Message = "Could not append the audit event {Action}.")]
    private static partial void LogFailed(ILogger logger, string action, Exception exception);
}
