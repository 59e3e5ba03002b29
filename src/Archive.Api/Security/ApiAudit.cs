using Archive.Audit;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Archive.Api.Security;

/// <summary>
/// Appends the API's events to the host's <see cref="IAuditTrail"/> when one is registered (nothing happens
/// otherwise). Reads and searches are audited before the answer is sent: when the trail cannot store the event the
/// request fails (an unaudited read must not happen). Authentication failures and denials are best effort (logged
/// when the trail fails) so that an unavailable trail cannot turn a refusal into something else.
/// </summary>
internal static partial class ApiAudit
{
    public static ValueTask ReadAsync(HttpContext http, string action, string objectType, string objectId, string? detail, CancellationToken cancellationToken)
        => AppendAsync(http, new AuditEvent
        {
            Action = action,
            Actor = Actor(http),
            ActorAgencyId = ArchiveCaller.Of(http).PrimaryAgency,
            ObjectType = objectType,
            ObjectId = objectId,
            Detail = detail,
            ClientAddress = ClientAddress(http),
        }, bestEffort: false, cancellationToken);

    public static ValueTask DeniedAsync(HttpContext http, string? objectType, string? objectId, string detail, CancellationToken cancellationToken)
        => AppendAsync(http, new AuditEvent
        {
            Action = AuditActions.AccessDenied,
            Actor = Actor(http),
            ActorAgencyId = ArchiveCaller.Of(http).PrimaryAgency,
            ObjectType = objectType,
            ObjectId = objectId,
            Outcome = AuditOutcome.Denied,
            Detail = detail,
            ClientAddress = ClientAddress(http),
        }, bestEffort: true, cancellationToken);

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
        }, bestEffort: true, CancellationToken.None);

    public static string Actor(HttpContext http)
        => http.User.Identities.Any(i => i.IsAuthenticated) ? Http.RequestContext.User(http).Name : "anonymous";

    public static string? ClientAddress(HttpContext http) => http.Connection.RemoteIpAddress?.ToString();

    private static async ValueTask AppendAsync(HttpContext http, AuditEvent auditEvent, bool bestEffort, CancellationToken cancellationToken)
    {
        var trail = http.RequestServices.GetService<IAuditTrail>();
        if (trail is null)
        {
            return;
        }

        if (!bestEffort)
        {
            await trail.AppendAsync(auditEvent, cancellationToken).ConfigureAwait(false);
            return;
        }

        try
        {
            await trail.AppendAsync(auditEvent, cancellationToken).ConfigureAwait(false);
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
