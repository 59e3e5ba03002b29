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
    /// <summary>The detail of the audit entry of a record file read answered "not found" (missing, or not visible to the caller).</summary>
    public const string NotVisibleDetail = "not found or out of scope (answered 404)";

    private static readonly HashSet<string> RecordObjectTypes = new(StringComparer.Ordinal) { "record-file", "document", "content" };

    private readonly FondsRegistry _fonds;
    private readonly IAuditTrail? _audit;
    private readonly ILogger _logger;
    private readonly RecordFileService? _files;
    private readonly Archive.Access.AccessRequestService? _grants;

    /// <summary>Creates the policy.</summary>
    /// <param name="fonds">Where custody is looked up.</param>
    /// <param name="audit">Where reads and refusals are recorded (nothing is recorded without one).</param>
    /// <param name="logger">Logs an audit entry that could not be stored (refusals are audited best effort).</param>
    /// <param name="files">
    /// The record files: evens out the storage work of refused reads, looks up taken codes and the access level of
    /// the record files audit entries name (without it, reads are not evened out and audit entries are redacted only
    /// by their own classification).
    /// </param>
    /// <param name="grants">
    /// Researchers' access grants (<see cref="Archive.Access.AccessRequestService"/>): a researcher with a valid grant
    /// reads that accessioned conditional record file, and the audit entries of those reads name the grant (without it,
    /// conditional record files stay closed to researchers).
    /// </param>
    public ArchiveAccessPolicy(FondsRegistry fonds, IAuditTrail? audit = null, ILogger<ArchiveAccessPolicy>? logger = null, RecordFileService? files = null, Archive.Access.AccessRequestService? grants = null)
    {
        ArgumentNullException.ThrowIfNull(fonds);
        _fonds = fonds;
        _audit = audit;
        _logger = logger ?? NullLogger<ArchiveAccessPolicy>.Instance;
        _files = files;
        _grants = grants;
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

        if (!caller.IsStaff)
        {
            // A researcher reads an accessioned conditional record file only under a valid grant, looked up on every
            // read (an expired or revoked grant stops at once); the grant is remembered for the audit of the read.
            if (_grants is not null && file.Rights == AccessLevel.Conditional && file.AccessionedAt is not null && file.NonArchival is null
                && await _grants.GetValidGrantAsync(caller, file.FileCode, cancellationToken).ConfigureAwait(false) is { GrantId: { } grantId })
            {
                caller.RememberGrant(file.FileCode, grantId);
                return true;
            }

            return false;
        }

        if (file.Rights == AccessLevel.Secret && !caller.HasSecretClearance)
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

        // A missing record file and one the caller may not see get the same answer after the same storage work and
        // the same audit entry (its classification, shown only to cleared auditors, tells a secret one apart).
        if (_files is not null)
        {
            await _files.BalanceRefusedReadAsync(file is not null, cancellationToken).ConfigureAwait(false);
        }

        await AppendRefusalAsync(caller, AuditActions.AccessDenied, AuditOutcome.Denied, fileCode, NotVisibleDetail, file?.Value.Rights == AccessLevel.Secret ? AccessLevel.Secret : null, cancellationToken).ConfigureAwait(false);
        throw new ArchiveNotFoundException("record-file", fileCode);
    }

    /// <inheritdoc />
    public async ValueTask AuditCodeCollisionAsync(ArchiveCaller caller, string fileCode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(fileCode);
        var existing = _files is null ? null : await _files.GetAsync(fileCode, cancellationToken).ConfigureAwait(false);
        var hidden = existing is not null && !await CanReadAsync(caller, existing.Value, cancellationToken).ConfigureAwait(false);
        if (hidden)
        {
            await AppendRefusalAsync(caller, AuditActions.HiddenCodeCollision, AuditOutcome.Denied, fileCode, "create or import refused: the code is taken by a record file the caller may not see (answered 409 as for any taken code)", existing!.Value.Rights == AccessLevel.Secret ? AccessLevel.Secret : null, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await AppendRefusalAsync(caller, AuditActions.CodeCollision, AuditOutcome.Failure, fileCode, "create or import refused: the code is taken (answered 409)", null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<AuditPage> QueryAuditAsync(ArchiveCaller caller, IAuditLog log, AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(query);
        var page = await log.QueryAsync(query, cancellationToken).ConfigureAwait(false);
        if (caller.HasSecretClearance)
        {
            return page;
        }

        var levels = new Dictionary<string, bool>(StringComparer.Ordinal);
        var shown = new List<AuditRecord>(page.Records.Count);
        foreach (var record in page.Records)
        {
            var e = record.Event;

            // A read answered "not found" is redacted whether the code exists or not (so its redaction tells nothing):
            // the code someone tried may be a secret file's.
            if (IsNotVisibleRead(e) || e.Classification == AccessLevel.Secret || await NamesSecretFileAsync(e, levels, cancellationToken).ConfigureAwait(false))
            {
                // A filter on the object id must not find what is redacted (that would confirm the secret file).
                if (query.ObjectId is null)
                {
                    shown.Add(record with { Event = e with { ObjectId = null, Detail = IsNotVisibleRead(e) ? e.Detail : null, Classification = null }, Redacted = true });
                }
            }
            else
            {
                shown.Add(record);
            }
        }

        return page with { Records = shown };
    }

    private static bool IsNotVisibleRead(AuditEvent e)
        => e.Action == AuditActions.AccessDenied && e.ObjectType == "record-file" && e.Detail == NotVisibleDetail;

    /// <summary>Whether the event's object is (a document or content of) a record file that is Secret today.</summary>
    private async ValueTask<bool> NamesSecretFileAsync(AuditEvent e, Dictionary<string, bool> levels, CancellationToken cancellationToken)
    {
        if (_files is null || e.ObjectId is null || e.ObjectType is null || !RecordObjectTypes.Contains(e.ObjectType))
        {
            return false;
        }

        var slash = e.ObjectId.IndexOf('/', StringComparison.Ordinal);
        var code = slash < 0 ? e.ObjectId : e.ObjectId[..slash];
        if (!levels.TryGetValue(code, out var secret))
        {
            Versioned<RecordFile>? file = null;
            try
            {
                file = code.Length == 0 ? null : await _files.GetAsync(code, cancellationToken).ConfigureAwait(false);
            }
            catch (ArchiveValidationException)
            {
                // Not a record file code at all: nothing stored can be secret under it.
            }

            secret = file?.Value.Rights == AccessLevel.Secret;
            levels[code] = secret;
        }

        return secret;
    }

    private async ValueTask AppendRefusalAsync(ArchiveCaller caller, string action, AuditOutcome outcome, string fileCode, string detail, AccessLevel? classification, CancellationToken cancellationToken)
    {
        if (_audit is null)
        {
            return;
        }

        await _audit.AppendBestEffortAsync(caller.ToAuditEvent(action) with
        {
            ObjectType = "record-file",
            ObjectId = fileCode,
            Outcome = outcome,
            Detail = detail,
            Classification = classification,
        }, _logger, cancellationToken).ConfigureAwait(false);
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

        // A read allowed by a researcher's access grant names the grant (the caller remembered it when the read was allowed).
        if (RecordObjectTypes.Contains(objectType) && objectId is not null && caller.GrantFor(objectId) is { } grantId)
        {
            detail = string.IsNullOrEmpty(detail) ? "under access grant " + grantId : detail + "; under access grant " + grantId;
        }

        await _audit.AppendAsync(caller.ToAuditEvent(action) with
        {
            ObjectType = objectType,
            ObjectId = objectId,
            Detail = detail,

            // A cleared caller's query text may quote secret material: auditors without clearance see it redacted.
            Classification = action == AuditActions.Search && caller.HasSecretClearance ? AccessLevel.Secret : null,
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

        await _audit.AppendBestEffortAsync(caller.ToAuditEvent(AuditActions.AccessDenied) with
        {
            ObjectType = objectType,
            ObjectId = objectId,
            Outcome = AuditOutcome.Denied,
            Detail = detail,
        }, _logger, cancellationToken).ConfigureAwait(false);
    }
}
