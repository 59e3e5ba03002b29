using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Archive.Audit;
using Archive.Packages;
using Archive.Records;
using Archive.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Archive.Access;

/// <summary>What to list of the access requests.</summary>
public sealed record AccessRequestQuery
{
    /// <summary>Only requests in this status (<see cref="AccessRequestStatus.Expired"/> selects approvals that ran out).</summary>
    public AccessRequestStatus? Status { get; init; }

    /// <summary>Only requests for record files of fonds this agency holds.</summary>
    public string? AgencyId { get; init; }

    /// <summary>Only requests for this record file.</summary>
    public string? FileCode { get; init; }

    /// <summary>Only the caller's own requests (a researcher's list; researchers see only theirs in any case).</summary>
    public bool Mine { get; init; }

    /// <summary>Resume after this request id (the last one of the previous page).</summary>
    public string? After { get; init; }
}

/// <summary>
/// Researchers' access requests for conditional records (issue #19 item 3): a researcher asks to read an accessioned
/// record file with access <see cref="AccessLevel.Conditional"/> (sử dụng có điều kiện), giving a purpose (mục đích khai
/// thác); an archivist of the holding archives — a user of the agency holding the record file's fonds, with the role
/// archivist or agency head (or an administrator) — approves it for a number of days
/// (<see cref="AccessRequestOptions"/>) or refuses it with a reason, and may revoke an approval. An approval is a grant for
/// that researcher and that record file only: while it is valid the engine's access policy lets the researcher read the
/// record file's metadata, documents, contents and text, and every such read is audited naming the grant
/// (<see cref="GetValidGrantAsync"/>); an expired or revoked grant stops at once (checked on every read).
/// </summary>
/// <remarks>
/// <para>
/// Every request is a versioned package in <see cref="RequestsRoot"/> (one per researcher and record file; a new
/// request after a refusal, revocation or expiry is its next version), so every change names who and when and is in
/// the audit trail (<c>change</c>, object type <c>access-requests</c>); the object store makes it survive restarts
/// and serves several hosts on one bucket (a lost race is a 412, nothing half-written).
/// </para>
/// <para>
/// Secret, unknown, not accessioned and weeded-out record files are answered exactly alike (not found, audited as a
/// refused read), so a request never tells whether a hidden record file exists.
/// </para>
/// </remarks>
public sealed partial class AccessRequestService
{
    /// <summary>Storage root of request packages (id = request id).</summary>
    public const string RequestsRoot = "ocfl/access-requests";

    private const string Entity = "access-request";

    private static readonly string[] DeciderRoles = [ArchiveRoles.Archivist, ArchiveRoles.AgencyHead, ArchiveRoles.Administrator];

    private readonly PackageEntityStore<AccessRequest> _store;
    private readonly RecordFileService _files;
    private readonly FondsRegistry _fonds;
    private readonly IAuditTrail? _audit;
    private readonly AccessRequestOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Archive.Search.ISearchIndex? _search;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Creates the service.</summary>
    /// <param name="requests">The package store of <see cref="RequestsRoot"/> (audited: open it through <c>ArchiveStorage.Open</c>).</param>
    /// <param name="files">Record files.</param>
    /// <param name="fonds">Fonds (custody: the holding archives).</param>
    /// <param name="options">Validity and length limits (validated: see <see cref="AccessRequestOptions.Problems"/>).</param>
    /// <param name="audit">Where refusals are recorded (best effort).</param>
    /// <param name="timeProvider">Clock.</param>
    /// <param name="logger">Logs a refusal that could not be audited.</param>
    /// <param name="search">The search index (for <see cref="SearchCatalogueAsync"/>).</param>
    public AccessRequestService(IPackageStore requests, RecordFileService files, FondsRegistry fonds, AccessRequestOptions? options = null, IAuditTrail? audit = null, TimeProvider? timeProvider = null, ILogger<AccessRequestService>? logger = null, Archive.Search.ISearchIndex? search = null)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(fonds);
        _options = options ?? new AccessRequestOptions();
        if (_options.Problems() is { Count: > 0 } problems)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        _store = new PackageEntityStore<AccessRequest>(requests, Entity, "metadata/access-request.json");
        _files = files;
        _fonds = fonds;
        _audit = audit;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<AccessRequestService>.Instance;
        _search = search;
    }

    /// <summary>The options in force.</summary>
    public AccessRequestOptions Options => _options;

    /// <summary>The request id of a researcher's request for a record file.</summary>
    public static string IdOf(string researcherId, string fileCode)
    {
        ArgumentNullException.ThrowIfNull(researcherId);
        ArgumentNullException.ThrowIfNull(fileCode);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(researcherId + "\n" + fileCode));
        return "AR-" + Convert.ToHexStringLower(hash.AsSpan(0, 12));
    }

    /// <summary>
    /// A researcher asks to read a conditional record file. Refused, with nothing stored: an empty or over-long
    /// purpose (<c>purpose</c>), in that order before a caller that is not a researcher (403 <see cref="AccessRequestRules.ResearcherOnly"/>);
    /// a record file the researcher may not know of — unknown, secret, not accessioned, weeded out — exactly as an
    /// unknown one (<see cref="ArchiveNotFoundException"/>); a public one (<see cref="AccessRequestRules.NotConditional"/>);
    /// a request already waiting or a grant still valid (409).
    /// </summary>
    /// <exception cref="ArchiveAccessDeniedException">The caller is not a researcher.</exception>
    /// <exception cref="ArchiveValidationException">The purpose or the code is refused (named by field).</exception>
    /// <exception cref="ArchiveNotFoundException">No record file the researcher may ask for.</exception>
    /// <exception cref="ArchiveConflictException">A request is waiting, or a grant is valid.</exception>
    public async ValueTask<Versioned<AccessRequest>> RequestAsync(string fileCode, string? purpose, ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var errors = new List<ValidationError>();
        var code = fileCode?.Trim();
        if (string.IsNullOrEmpty(code))
        {
            errors.Add(new("fileCode", "required", "The record file code is required."));
        }

        var text = Text(purpose, "purpose", errors);
        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        if (!caller.IsAuthenticated || !caller.IsInRole(ArchiveRoles.Researcher))
        {
            await AuditRefusalAsync(caller, "record-file", code, "access request: researchers only", null, cancellationToken).ConfigureAwait(false);
            throw new ArchiveAccessDeniedException("role", AccessRequestRules.ResearcherOnly, "Only a researcher (độc giả) signed in with the researcher role may request access to a record file.");
        }

        Versioned<RecordFile>? found = null;
        try
        {
            found = await _files.GetAsync(code!, cancellationToken).ConfigureAwait(false);
        }
        catch (ArchiveValidationException)
        {
            // Not a record file code at all: answered as an unknown one.
        }

        var file = found?.Value;
        if (file is null || file.AccessionedAt is null || file.NonArchival is not null || file.Rights == AccessLevel.Secret)
        {
            // Unknown, secret, not accessioned or weeded out: the same answer after the same work, audited as a read refused.
            await _files.BalanceRefusedReadAsync(file is not null, cancellationToken).ConfigureAwait(false);
            await AuditRefusalAsync(caller, "record-file", code!, ArchiveAccessPolicy.NotVisibleDetail, file?.Rights == AccessLevel.Secret ? AccessLevel.Secret : null, cancellationToken).ConfigureAwait(false);
            throw new ArchiveNotFoundException("record-file", code!);
        }

        if (file.Rights != AccessLevel.Conditional)
        {
            throw new ArchiveValidationException("fileCode", AccessRequestRules.NotConditional, $"Record file '{code}' is public: it is read without a request.");
        }

        var id = IdOf(caller.PrincipalId, file.FileCode);
        var user = new ArchiveUser(caller.User.Name, caller.PrincipalId);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await _store.GetAsync(id, null, cancellationToken).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            switch (current?.Value.StatusAt(now))
            {
                case AccessRequestStatus.Pending:
                    throw new ArchiveConflictException(Entity, id, AccessRequestRules.AlreadyPending, $"Your request for record file '{file.FileCode}' is waiting for a decision already.");
                case AccessRequestStatus.Approved:
                    throw new ArchiveConflictException(Entity, id, AccessRequestRules.AlreadyGranted, $"You may read record file '{file.FileCode}' until {Date(current!.Value.ValidUntil!.Value)} already.");
            }

            var request = new AccessRequest
            {
                Id = id,
                FileCode = file.FileCode,
                FondsCode = file.FondsCode,
                FileTitle = file.Title,
                ResearcherId = caller.PrincipalId,
                ResearcherName = caller.User.Name,
                Purpose = text!,
                Status = AccessRequestStatus.Pending,
                RequestedAt = now,
            };
            return await _store.CommitAsync(id, request, current?.Version ?? 0, $"Access request {id}: {caller.PrincipalId} asks to read {file.FileCode}", user, null, null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// A request the caller may see, or null (missing, or out of its scope): a researcher sees its own; agency staff the
    /// requests for record files their agency holds; supervisors, the Historical Archives and administrators all; the
    /// offline operator (no caller) all.
    /// </summary>
    public async ValueTask<Versioned<AccessRequest>?> GetAsync(string id, ArchiveCaller? caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (!IsId(id.Trim()))
        {
            return null;
        }

        var request = await _store.GetAsync(id.Trim(), null, cancellationToken).ConfigureAwait(false);
        return request is not null && await MaySeeAsync(caller, request.Value, null, cancellationToken).ConfigureAwait(false) ? request : null;
    }

    /// <summary>The version history of a request the caller may see.</summary>
    /// <exception cref="ArchiveNotFoundException">No such request in the caller's scope.</exception>
    public async ValueTask<IReadOnlyList<VersionInfo>> GetHistoryAsync(string id, ArchiveCaller? caller, CancellationToken cancellationToken = default)
    {
        _ = await GetAsync(id, caller, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException(Entity, id);
        return await _store.HistoryAsync(id.Trim(), cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException(Entity, id);
    }

    /// <summary>The caller's own requests (a researcher's list), in id order, streamed.</summary>
    public IAsyncEnumerable<Versioned<AccessRequest>> ListMineAsync(ArchiveCaller caller, AccessRequestStatus? status = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return ListAsync(new AccessRequestQuery { Mine = true, Status = status }, caller, cancellationToken);
    }

    /// <summary>The requests waiting for a decision of the caller's archives (every archives' for the operator), streamed.</summary>
    public IAsyncEnumerable<Versioned<AccessRequest>> ListPendingAsync(ArchiveCaller? caller, CancellationToken cancellationToken = default)
        => ListAsync(new AccessRequestQuery { Status = AccessRequestStatus.Pending }, caller, cancellationToken);

    /// <summary>The requests the caller may see (see <see cref="GetAsync"/>), filtered by <paramref name="query"/>, in id order, streamed.</summary>
    /// <exception cref="ArchiveValidationException">The status is not one of <see cref="AccessRequestStatus"/>.</exception>
    public IAsyncEnumerable<Versioned<AccessRequest>> ListAsync(AccessRequestQuery query, ArchiveCaller? caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Status is { } s && !Enum.IsDefined(s))
        {
            throw new ArchiveValidationException("status", "enum", "The status is Pending, Approved, Refused, Revoked or Expired.");
        }

        return ListCoreAsync(query, caller, cancellationToken);
    }

    /// <summary>
    /// Approves a waiting request: a grant for its researcher and record file for <paramref name="validDays"/> days
    /// (<see cref="AccessRequestOptions.DefaultValidDays"/> when null; at most <see cref="AccessRequestOptions.MaxValidDays"/>).
    /// </summary>
    /// <param name="id">The request.</param>
    /// <param name="validDays">Days the grant lasts, from now.</param>
    /// <param name="expectedVersion">The version the decision was made on (null: the head).</param>
    /// <param name="caller">Who decides (null: the offline operator).</param>
    /// <param name="user">Who acts, recorded in the version and the audit trail.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <exception cref="ArchiveValidationException"><c>validDays</c> out of range (<see cref="AccessRequestRules.Validity"/>); nothing changes.</exception>
    /// <exception cref="ArchiveNotFoundException">No such request in the caller's scope.</exception>
    /// <exception cref="ArchiveAccessDeniedException">The caller is not an archivist of the holding archives.</exception>
    /// <exception cref="ArchiveConflictException">The request is decided already (<see cref="AccessRequestRules.NotPending"/>).</exception>
    /// <exception cref="ArchivePreconditionFailedException">It changed since <paramref name="expectedVersion"/> (or another host decided first).</exception>
    public async ValueTask<Versioned<AccessRequest>> ApproveAsync(string id, int? validDays, int? expectedVersion, ArchiveCaller? caller, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        var days = validDays ?? _options.DefaultValidDays;
        if (days < 1 || days > _options.MaxValidDays)
        {
            throw new ArchiveValidationException("validDays", AccessRequestRules.Validity, $"A grant lasts between 1 and {_options.MaxValidDays} days.");
        }

        return await DecideAsync(id, expectedVersion, caller, user, AccessRequestStatus.Pending, AccessRequestRules.NotPending, (r, now) => r with
        {
            Status = AccessRequestStatus.Approved,
            DecidedAt = now,
            DecidedBy = user.Name,
            GrantId = "G-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            ValidUntil = now.AddDays(days),
            Reason = null,
        }, r => $"Access request {r.Id}: approved, grant {r.GrantId} for {r.ResearcherId} to read {r.FileCode} until {r.ValidUntil!.Value.ToString("O", CultureInfo.InvariantCulture)}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Refuses a waiting request with a reason (required, at most <see cref="AccessRequestOptions.MaxTextLength"/> characters).</summary>
    /// <exception cref="ArchiveValidationException"><c>reason</c> is empty or too long; nothing changes.</exception>
    /// <exception cref="ArchiveNotFoundException">No such request in the caller's scope.</exception>
    /// <exception cref="ArchiveAccessDeniedException">The caller is not an archivist of the holding archives.</exception>
    /// <exception cref="ArchiveConflictException">The request is decided already (<see cref="AccessRequestRules.NotPending"/>).</exception>
    public async ValueTask<Versioned<AccessRequest>> RefuseAsync(string id, string? reason, int? expectedVersion, ArchiveCaller? caller, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        var text = RequiredText(reason, "reason");
        return await DecideAsync(id, expectedVersion, caller, user, AccessRequestStatus.Pending, AccessRequestRules.NotPending, (r, now) => r with
        {
            Status = AccessRequestStatus.Refused,
            DecidedAt = now,
            DecidedBy = user.Name,
            Reason = text,
        }, r => $"Access request {r.Id}: refused ({r.ResearcherId}, {r.FileCode})", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Revokes a valid approval with a reason: reads under its grant stop at once.</summary>
    /// <exception cref="ArchiveValidationException"><c>reason</c> is empty or too long; nothing changes.</exception>
    /// <exception cref="ArchiveNotFoundException">No such request in the caller's scope.</exception>
    /// <exception cref="ArchiveAccessDeniedException">The caller is not an archivist of the holding archives.</exception>
    /// <exception cref="ArchiveConflictException">No valid grant to revoke (<see cref="AccessRequestRules.NotGranted"/>).</exception>
    public async ValueTask<Versioned<AccessRequest>> RevokeAsync(string id, string? reason, int? expectedVersion, ArchiveCaller? caller, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        var text = RequiredText(reason, "reason");
        return await DecideAsync(id, expectedVersion, caller, user, AccessRequestStatus.Approved, AccessRequestRules.NotGranted, (r, now) => r with
        {
            Status = AccessRequestStatus.Revoked,
            RevokedAt = now,
            RevokedBy = user.Name,
            Reason = text,
        }, r => $"Access request {r.Id}: grant {r.GrantId} revoked ({r.ResearcherId}, {r.FileCode})", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The grant under which <paramref name="caller"/> — a researcher — may read <paramref name="fileCode"/> now, or null.
    /// Read from storage on every call, so an expiry or a revocation (on any host) takes effect at once.
    /// </summary>
    public async ValueTask<AccessRequest?> GetValidGrantAsync(ArchiveCaller caller, string fileCode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(fileCode);
        if (!caller.IsAuthenticated || !caller.IsInRole(ArchiveRoles.Researcher))
        {
            return null;
        }

        var request = await _store.GetAsync(IdOf(caller.PrincipalId, fileCode), null, cancellationToken).ConfigureAwait(false);
        var r = request?.Value;
        return r is not null && r.ResearcherId == caller.PrincipalId && r.FileCode == fileCode && r.IsValidAt(_time.GetUtcNow()) ? r : null;
    }

    private async ValueTask<Versioned<AccessRequest>> DecideAsync(string id, int? expectedVersion, ArchiveCaller? caller, ArchiveUser user, AccessRequestStatus from, string rule, Func<AccessRequest, DateTimeOffset, AccessRequest> change, Func<AccessRequest, string> message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var trimmed = id.Trim();
            var current = IsId(trimmed) ? await _store.GetAsync(trimmed, null, cancellationToken).ConfigureAwait(false) : null;
            if (current is null || (caller is not null && !caller.IsStaff))
            {
                // Researchers never learn of others' requests (nor anonymous callers of any).
                if (caller is not null)
                {
                    await AuditRefusalAsync(caller, Entity, trimmed, "access request decision: not found or out of scope", null, cancellationToken).ConfigureAwait(false);
                }

                throw new ArchiveNotFoundException(Entity, trimmed);
            }

            var r = current.Value;
            if (caller is not null)
            {
                var custodian = await CustodianAsync(r.FondsCode, null, cancellationToken).ConfigureAwait(false);
                if (!caller.WritesAcross && (custodian is null || !caller.Agencies.Contains(custodian)))
                {
                    await AuditRefusalAsync(caller, Entity, r.Id, "agency scope", null, cancellationToken).ConfigureAwait(false);
                    throw new ArchiveAccessDeniedException("fondsCode", AccessRules.AgencyScope, $"Only an archivist of the holding archives ('{custodian}', holding fonds '{r.FondsCode}') may decide this request.");
                }

                if (!DeciderRoles.Any(caller.IsInRole))
                {
                    await AuditRefusalAsync(caller, Entity, r.Id, "archivists only", null, cancellationToken).ConfigureAwait(false);
                    throw new ArchiveAccessDeniedException("role", AccessRequestRules.ArchivistOnly, "Only an archivist or the agency head of the holding archives (or an administrator) may decide access requests.");
                }
            }

            if (expectedVersion is { } v && v != current.Version)
            {
                throw new ArchivePreconditionFailedException(Entity, r.Id, v, current.Version);
            }

            var now = _time.GetUtcNow();
            var state = r.StatusAt(now);
            if (state != from)
            {
                var what = state switch
                {
                    AccessRequestStatus.Pending => "is waiting for a decision",
                    AccessRequestStatus.Approved => $"is approved until {Date(r.ValidUntil!.Value)}",
                    AccessRequestStatus.Refused => "was refused",
                    AccessRequestStatus.Revoked => "was revoked",
                    _ => "has expired",
                };
                throw new ArchiveConflictException(Entity, r.Id, rule, $"Access request '{r.Id}' {what}: it {(from == AccessRequestStatus.Pending ? "is decided once" : "has no valid grant to revoke")}.");
            }

            var changed = change(r, now);
            return await _store.CommitAsync(r.Id, changed, current.Version, message(changed), user, null, null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async IAsyncEnumerable<Versioned<AccessRequest>> ListCoreAsync(AccessRequestQuery query, ArchiveCaller? caller, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var agency = string.IsNullOrWhiteSpace(query.AgencyId) ? null : query.AgencyId.Trim();
        var code = string.IsNullOrWhiteSpace(query.FileCode) ? null : query.FileCode.Trim();
        var custody = new Dictionary<string, string?>(StringComparer.Ordinal);
        var now = _time.GetUtcNow();
        await foreach (var item in _store.ListAsync(string.IsNullOrEmpty(query.After) ? null : query.After, cancellationToken).ConfigureAwait(false))
        {
            var r = item.Value;
            if ((query.Status is { } s && r.StatusAt(now) != s)
                || (code is not null && r.FileCode != code)
                || (query.Mine && (caller is null || r.ResearcherId != caller.PrincipalId))
                || (agency is not null && await CustodianAsync(r.FondsCode, custody, cancellationToken).ConfigureAwait(false) != agency)
                || !await MaySeeAsync(caller, r, custody, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            yield return item;
        }
    }

    private async ValueTask<bool> MaySeeAsync(ArchiveCaller? caller, AccessRequest r, Dictionary<string, string?>? custody, CancellationToken cancellationToken)
    {
        if (caller is null || r.ResearcherId == caller.PrincipalId && caller.IsAuthenticated)
        {
            return true;
        }

        if (!caller.IsStaff)
        {
            return false;
        }

        if (caller.ReadsAcross)
        {
            return true;
        }

        var custodian = await CustodianAsync(r.FondsCode, custody, cancellationToken).ConfigureAwait(false);
        return custodian is not null && caller.Agencies.Contains(custodian);
    }

    private async ValueTask<string?> CustodianAsync(string fondsCode, Dictionary<string, string?>? cache, CancellationToken cancellationToken)
    {
        if (cache is not null && cache.TryGetValue(fondsCode, out var known))
        {
            return known;
        }

        var fonds = await _fonds.GetAsync(fondsCode, cancellationToken).ConfigureAwait(false);
        var custodian = fonds is null ? null : ArchiveAccessPolicy.CustodianOf(fonds.Value);
        if (cache is not null)
        {
            cache[fondsCode] = custodian;
        }

        return custodian;
    }

    private async ValueTask AuditRefusalAsync(ArchiveCaller caller, string objectType, string? objectId, string detail, AccessLevel? classification, CancellationToken cancellationToken)
    {
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
            Classification = classification,
        }, _logger, cancellationToken).ConfigureAwait(false);
    }

    private string RequiredText(string? value, string field)
    {
        var errors = new List<ValidationError>();
        var text = Text(value, field, errors);
        return errors.Count > 0 ? throw new ArchiveValidationException(errors) : text!;
    }

    private string? Text(string? value, string field, List<ValidationError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(new(field, "required", $"{field} is required."));
            return null;
        }

        var text = value.Trim().Normalize(NormalizationForm.FormC);
        if (text.Length > _options.MaxTextLength)
        {
            errors.Add(new(field, "max-length", $"{field} is at most {_options.MaxTextLength} characters."));
            return null;
        }

        if (text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
        {
            errors.Add(new(field, "format", $"{field} must not hold control characters."));
            return null;
        }

        return text;
    }

    private static bool IsId(string id)
        => id.Length == 27 && id.StartsWith("AR-", StringComparison.Ordinal) && id.AsSpan(3).IndexOfAnyExcept("0123456789abcdef") < 0;

    private static string Date(DateTimeOffset value) => value.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
