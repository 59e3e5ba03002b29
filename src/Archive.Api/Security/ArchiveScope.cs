using Archive.Records;
using Archive.Reorganisation;
using Archive.Search;
using Archive.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Archive.Api.Security;

/// <summary>
/// Hands the handlers' record-level checks to the engine's <see cref="IArchiveAccessPolicy"/> with the request's
/// <see cref="ArchiveCaller"/> (<see cref="HttpCaller"/>). No rule lives here: custody, clearance, the researcher rule,
/// 404-versus-403 and the audit of refusals are the engine's; the facade maps its exceptions to problem responses.
/// </summary>
internal static class ArchiveScope
{
    public static IArchiveAccessPolicy Policy(HttpContext http) => http.RequestServices.GetRequiredService<IArchiveAccessPolicy>();

    public static ValueTask<bool> CanReadAsync(HttpContext http, RecordFile file, CancellationToken cancellationToken)
        => Policy(http).CanReadAsync(HttpCaller.Of(http), file, cancellationToken);

    public static ValueTask<Versioned<RecordFile>> VisibleAsync(HttpContext http, Versioned<RecordFile>? file, string fileCode, CancellationToken cancellationToken)
        => Policy(http).RequireReadAsync(HttpCaller.Of(http), file, fileCode, cancellationToken);

    public static ValueTask<Versioned<RecordFile>> ChangeableAsync(HttpContext http, Versioned<RecordFile>? file, string fileCode, CancellationToken cancellationToken)
        => Policy(http).RequireChangeAsync(HttpCaller.Of(http), file, fileCode, cancellationToken);

    public static ValueTask RequireChangeAsync(HttpContext http, string fondsCode, string objectType, string objectId, CancellationToken cancellationToken)
        => Policy(http).RequireFondsChangeAsync(HttpCaller.Of(http), fondsCode, objectType, objectId, cancellationToken);

    public static ValueTask RequireAgencyAsync(HttpContext http, string agencyId, string objectType, CancellationToken cancellationToken)
        => Policy(http).RequireAgencyAsync(HttpCaller.Of(http), agencyId, objectType, cancellationToken);

    public static ValueTask RequireAdministratorAsync(HttpContext http, string objectType, string? objectId, CancellationToken cancellationToken)
        => Policy(http).RequireAdministratorAsync(HttpCaller.Of(http), objectType, objectId, cancellationToken);

    public static ValueTask RequireStaffAsync(HttpContext http, string objectType, string? objectId, CancellationToken cancellationToken)
        => Policy(http).RequireStaffAsync(HttpCaller.Of(http), objectType, objectId, cancellationToken);

    public static ValueTask RequirePlanTaskAgencyAsync(HttpContext http, ReorganisationService events, string eventId, string agencyId, CancellationToken cancellationToken)
        => Policy(http).RequirePlanTaskAgencyAsync(HttpCaller.Of(http), events, eventId, agencyId, cancellationToken);

    public static ValueTask<IReadOnlyList<SearchFilter>> SearchFiltersAsync(HttpContext http, CancellationToken cancellationToken)
        => Policy(http).SearchFiltersAsync(HttpCaller.Of(http), cancellationToken);

    /// <summary>Audits a read before the answer is sent (fails the request when the trail cannot store it).</summary>
    public static ValueTask AuditReadAsync(HttpContext http, string action, string objectType, string objectId, string? detail, CancellationToken cancellationToken)
        => Policy(http).AuditReadAsync(HttpCaller.Of(http), action, objectType, objectId, detail, cancellationToken);

    /// <summary>Audits a create or import refused because the code is taken (the engine decides which event), best effort.</summary>
    public static ValueTask AuditCodeCollisionAsync(HttpContext http, string fileCode, CancellationToken cancellationToken)
        => Policy(http).AuditCodeCollisionAsync(HttpCaller.Of(http), fileCode, cancellationToken);

    /// <summary>A page of the audit trail as the caller may see it (the engine redacts secret material for uncleared callers).</summary>
    public static ValueTask<Archive.Audit.AuditPage> QueryAuditAsync(HttpContext http, Archive.Audit.IAuditLog log, Archive.Audit.AuditQuery query, CancellationToken cancellationToken)
        => Policy(http).QueryAuditAsync(HttpCaller.Of(http), log, query, cancellationToken);

    /// <summary>Audits a refusal decided by the facade (its role check), best effort.</summary>
    public static ValueTask AuditDeniedAsync(HttpContext http, string? objectType, string? objectId, string detail, CancellationToken cancellationToken)
        => Policy(http).AuditDeniedAsync(HttpCaller.Of(http), objectType, objectId, detail, cancellationToken);
}
