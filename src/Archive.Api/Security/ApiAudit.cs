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
internal static class ApiAudit
{
    /// <summary>
    /// An authentication failure: the scheme and reason, the client address, never the presented secret; for a
    /// revoked, expired or replaced API key, the key (name and principal id) whose secret was presented.
    /// </summary>
    public static ValueTask AuthenticationFailedAsync(HttpContext http, string scheme, string reason, ApiKeyRecord? key = null)
        => AppendAsync(http, new AuditEvent
        {
            Action = AuditActions.AuthenticationFailed,
            Actor = key?.Name ?? Archive.Security.ArchiveCaller.AnonymousActor,
            ActorId = key?.PrincipalId ?? Archive.Security.ArchiveCaller.AnonymousActor,
            ObjectType = "authentication",
            ObjectId = scheme,
            Outcome = AuditOutcome.Denied,
            Detail = reason,
            ClientAddress = HttpCaller.ClientAddress(http),
        });

    private static ValueTask AppendAsync(HttpContext http, AuditEvent auditEvent)
        => http.RequestServices.GetService<IAuditTrail>() is { } trail
            ? trail.AppendBestEffortAsync(auditEvent, http.RequestServices.GetService<ILoggerFactory>()?.CreateLogger("Archive.Api.Audit"), CancellationToken.None)
            : ValueTask.CompletedTask;
}
