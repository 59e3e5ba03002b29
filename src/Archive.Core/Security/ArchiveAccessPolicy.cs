using Archive.Audit;
using Archive.Records;
using Archive.Reorganisation;
using Archive.Search;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Archive.Security;

/// <summary>The engine's access rules (see <see cref="IArchiveAccessPolicy"/>), registered by <c>AddArchive</c>.</summary>
public sealed partial class ArchiveAccessPolicy : IArchiveAccessPolicy
{
    private readonly FondsRegistry _fonds;
    private readonly IAuditTrail? _audit;
    private readonly ILogger _logger;

    /// <summary>Creates the policy.</summary>
    /// <param name="fonds">Where custody is looked up.</param>
    /// <param name="audit">Where reads and refusals are recorded (nothing is recorded without one).</param>
    /// <param name="logger">Logs an audit entry that could not be stored (refusals are audited best effort).</param>
    public ArchiveAccessPolicy(FondsRegistry fonds, IAuditTrail? audit = null, ILogger<ArchiveAccessPolicy>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(fonds);
        _fonds = fonds;
        _audit = audit;
        _logger = logger ?? NullLogger<ArchiveAccessPolicy>.Instance;
    }

    /// <summary>The agency holding a fonds: its custodian after a reorganisation, else the agency that formed it.</summary>
    public static string CustodianOf(Fonds fonds)
    {
        ArgumentNullException.ThrowIfNull(fonds);
        return string.IsNullOrWhiteSpace(fonds.CustodianAgencyId) ? fonds.AgencyId : fonds.CustodianAgencyId;
    }

    /// <inheritdoc />
    public async ValueTask<string?> GetCustodianAsync(ArchiveCaller caller, string fondsCode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(fondsCode);
        if (caller.TryGetCustodian(fondsCode, out var known))
        {
            return known;
        }

        var fonds = await _fonds.GetAsync(fondsCode, cancellationToken).ConfigureAwait(false);
        var custodian = fonds is null ? null : CustodianOf(fonds.Value);
        caller.RememberCustodian(fondsCode, custodian);
        return custodian;
    }

    /// <inheritdoc />
    public async ValueTask<bool> CanReadAsync(ArchiveCaller caller, RecordFile file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(file);
        if (ArchiveCaller.ReaderMaySee(file))
        {
            return true;
        }

        if (!caller.IsStaff || (file.Rights == AccessLevel.Secret && !caller.HasSecretClearance))
        {
            return false;
        }

        return caller.ReadsAcross || caller.MayRead(file, await GetCustodianAsync(caller, file.FondsCode, cancellationToken).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public async ValueTask<Versioned<RecordFile>> RequireReadAsync(ArchiveCaller caller, Versioned<RecordFile>? file, string fileCode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (file is not null && await CanReadAsync(caller, file.Value, cancellationToken).ConfigureAwait(false))
        {
            return file;
        }

        if (file is not null)
        {
            await AuditDeniedAsync(caller, "record-file", fileCode, "out of scope (answered 404)", cancellationToken).ConfigureAwait(false);
        }

        throw new ArchiveNotFoundException("record-file", fileCode);
    }

    /// <inheritdoc />
    public async ValueTask<Versioned<RecordFile>> RequireChangeAsync(ArchiveCaller caller, Versioned<RecordFile>? file, string fileCode, CancellationToken cancellationToken = default)
    {
        var visible = await RequireReadAsync(caller, file, fileCode, cancellationToken).ConfigureAwait(false);
        await RequireFondsChangeAsync(caller, visible.Value.FondsCode, "record-file", fileCode, cancellationToken).ConfigureAwait(false);
        return visible;
    }

    /// <inheritdoc />
    public async ValueTask RequireFondsChangeAsync(ArchiveCaller caller, string fondsCode, string objectType, string objectId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.WritesAcross)
        {
            return;
        }

        var custodian = await GetCustodianAsync(caller, fondsCode, cancellationToken).ConfigureAwait(false);
        if (custodian is null || caller.MayChange(custodian))
        {
            return;
        }

        await AuditDeniedAsync(caller, objectType, objectId, "agency scope", cancellationToken).ConfigureAwait(false);
        throw new ArchiveAccessDeniedException("fondsCode", AccessRules.AgencyScope, $"The fonds '{fondsCode}' is in the custody of another agency.");
    }

    /// <inheritdoc />
    public async ValueTask RequireAgencyAsync(ArchiveCaller caller, string agencyId, string objectType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.MayChange(agencyId))
        {
            return;
        }

        await AuditDeniedAsync(caller, objectType, agencyId, "agency scope", cancellationToken).ConfigureAwait(false);
        throw new ArchiveAccessDeniedException("agencyId", AccessRules.AgencyScope, $"Only a user of agency '{agencyId}' or an administrator may do this.");
    }

    /// <inheritdoc />
    public async ValueTask RequireAdministratorAsync(ArchiveCaller caller, string objectType, string? objectId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.WritesAcross)
        {
            return;
        }

        await AuditDeniedAsync(caller, objectType, objectId, "administrator only", cancellationToken).ConfigureAwait(false);
        throw new ArchiveAccessDeniedException(objectType, AccessRules.AgencyScope, "Only an administrator may do this.");
    }

    /// <inheritdoc />
    public async ValueTask RequireStaffAsync(ArchiveCaller caller, string objectType, string? objectId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.IsStaff)
        {
            return;
        }

        await AuditDeniedAsync(caller, objectType, objectId, "staff only", cancellationToken).ConfigureAwait(false);
        throw new ArchiveAccessDeniedException(objectType, AccessRules.StaffOnly, "Reorganisation events, plans and custody are open to agency staff, supervisors and administrators only.");
    }

    /// <inheritdoc />
    public async ValueTask RequirePlanTaskAgencyAsync(ArchiveCaller caller, ReorganisationService events, string eventId, string agencyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(events);
        if (caller.WritesAcross || caller.MayChange(agencyId))
        {
            return;
        }

        var stored = await events.GetAsync(eventId, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("reorganisation event", eventId);
        var affected = stored.Value.Affected.FirstOrDefault(a => a.AgencyId == agencyId);
        var successors = affected is null ? [] : affected.Fonds.Select(f => f.SuccessorAgencyId).Append(affected.SuccessorAgencyId);
        if (successors.Any(s => s is not null && caller.MayChange(s)))
        {
            return;
        }

        await AuditDeniedAsync(caller, "plan", eventId, "agency scope", cancellationToken).ConfigureAwait(false);
        throw new ArchiveAccessDeniedException("agencyId", AccessRules.AgencyScope, $"Only a user of agency '{agencyId}' (or of its successor) or an administrator may change this task.");
    }

    /// <inheritdoc />
    /// <remarks>Agency staff read accessioned public files of other agencies directly, but their searches stay within their own custody.</remarks>
    public async ValueTask<IReadOnlyList<SearchFilter>> SearchFiltersAsync(ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var filters = new List<SearchFilter>();
        if (!caller.IsStaff)
        {
            filters.Add(new TermsFilter(SearchFields.Status, ["accessioned"]));
            filters.Add(new TermsFilter(SearchFields.AccessLevel, [nameof(AccessLevel.Public)]));
            return filters;
        }

        if (!caller.HasSecretClearance)
        {
            filters.Add(new TermsFilter(SearchFields.AccessLevel, [nameof(AccessLevel.Secret)], Exclude: true));
        }

        if (!caller.ReadsAcross)
        {
            var all = await _fonds.ListAsync(cancellationToken).ConfigureAwait(false);
            var mine = all.Where(f => caller.Agencies.Contains(CustodianOf(f.Value))).Select(f => f.Value.Code).ToList();

            // No fonds in custody: a value no fonds code can have, so nothing matches (and nothing is counted).
            filters.Add(new TermsFilter(SearchFields.Fonds, mine.Count == 0 ? ["\u0001none"] : mine));
        }

        return filters;
    }

    /// <inheritdoc />
    public async ValueTask AuditReadAsync(ArchiveCaller caller, string action, string objectType, string objectId, string? detail, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (_audit is null)
        {
            return;
        }

        await _audit.AppendAsync(new AuditEvent
        {
            Action = action,
            Actor = caller.Actor,
            ActorId = caller.PrincipalId,
            ActorRoles = caller.RolesForAudit,
            ActorAgencyId = caller.PrimaryAgency,
            ObjectType = objectType,
            ObjectId = objectId,
            Detail = detail,
            ClientAddress = caller.ClientAddress,
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask AuditDeniedAsync(ArchiveCaller caller, string? objectType, string? objectId, string detail, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (_audit is null)
        {
            return;
        }

        await _audit.AppendBestEffortAsync(new AuditEvent
        {
            Action = AuditActions.AccessDenied,
            Actor = caller.Actor,
            ActorId = caller.PrincipalId,
            ActorRoles = caller.RolesForAudit,
            ActorAgencyId = caller.PrimaryAgency,
            ObjectType = objectType,
            ObjectId = objectId,
            Outcome = AuditOutcome.Denied,
            Detail = detail,
            ClientAddress = caller.ClientAddress,
        }, _logger, cancellationToken).ConfigureAwait(false);
    }
}
