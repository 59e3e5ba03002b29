using Archive.Audit;
using Archive.Records;
using Archive.Reorganisation;
using Archive.Search;

namespace Archive.Security;

/// <summary>
/// The record-level access rules of the engine, applied on top of the host's role check: agency custody (the fonds'
/// <see cref="Fonds.CustodianAgencyId"/>, else its <see cref="Fonds.AgencyId"/>, looked up when asked so that it
/// follows reorganisation events), secret clearance, and the researcher rule (accessioned + public only). Registered by
/// <c>AddArchive</c> (<see cref="ArchiveAccessPolicy"/>); a host may replace it.
/// </summary>
/// <remarks>
/// <para>
/// Outcomes: a record file the caller may not read is <em>not found</em> (<see cref="ArchiveNotFoundException"/>, its
/// existence is not revealed); a visible one the caller may not change, an agency's settings changed by another agency,
/// or an administrator's action by anyone else is <em>denied</em> (<see cref="ArchiveAccessDeniedException"/>). Every
/// refusal is appended to the engine's <c>IAuditTrail</c> as <c>auth.denied</c> (best effort: a failing trail does not
/// change the refusal).
/// </para>
/// <para>
/// The policy decides for the <see cref="ArchiveCaller"/> it is given; it does not know how the host authenticated
/// it. The methods that fetch nothing (<c>Require*</c> without a record file) take the host's identifiers as they came.
/// </para>
/// </remarks>
public interface IArchiveAccessPolicy
{
    /// <summary>The agency holding the fonds today, or null when the fonds does not exist (remembered by the caller for its lifetime).</summary>
    ValueTask<string?> GetCustodianAsync(ArchiveCaller caller, string fondsCode, CancellationToken cancellationToken = default);

    /// <summary>Whether the caller may read the record file (researcher rule — accessioned and public, or conditional under the researcher's valid access grant —, clearance, custody).</summary>
    ValueTask<bool> CanReadAsync(ArchiveCaller caller, RecordFile file, CancellationToken cancellationToken = default);

    /// <summary>The record file when the caller may read it.</summary>
    /// <param name="caller">The caller.</param>
    /// <param name="file">The record file as read (null when missing).</param>
    /// <param name="fileCode">Its code (for the refusal and its audit entry).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><paramref name="file"/>.</returns>
    /// <exception cref="ArchiveNotFoundException">
    /// Missing, out of the caller's scope, or secret without clearance: all three after the same storage work and with
    /// the same <c>auth.denied</c> audit entry (<see cref="ArchiveAccessPolicy.NotVisibleDetail"/>), so neither the answer,
    /// its time nor the trail tells them apart.
    /// </exception>
    ValueTask<Versioned<RecordFile>> RequireReadAsync(ArchiveCaller caller, Versioned<RecordFile>? file, string fileCode, CancellationToken cancellationToken = default);

    /// <summary>The record file when the caller may change it.</summary>
    /// <exception cref="ArchiveNotFoundException">The caller may not even read it (see <see cref="RequireReadAsync"/>).</exception>
    /// <exception cref="ArchiveAccessDeniedException">It may read but not change it (another agency holds the fonds).</exception>
    ValueTask<Versioned<RecordFile>> RequireChangeAsync(ArchiveCaller caller, Versioned<RecordFile>? file, string fileCode, CancellationToken cancellationToken = default);

    /// <summary>Passes when the caller may change records of the fonds: its custodian is among the caller's agencies, or the caller is an administrator. A missing fonds passes (the engine answers it).</summary>
    /// <param name="caller">The caller.</param>
    /// <param name="fondsCode">The fonds.</param>
    /// <param name="objectType">The kind of object, for the audit entry (e.g. <c>fonds</c>, <c>record-file</c>).</param>
    /// <param name="objectId">Its identifier, for the audit entry.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the call is allowed.</returns>
    /// <exception cref="ArchiveAccessDeniedException">Another agency holds the fonds (rule <see cref="AccessRules.AgencyScope"/>).</exception>
    ValueTask RequireFondsChangeAsync(ArchiveCaller caller, string fondsCode, string objectType, string objectId, CancellationToken cancellationToken = default);

    /// <summary>Passes when the caller belongs to <paramref name="agencyId"/> or is an administrator.</summary>
    /// <exception cref="ArchiveAccessDeniedException">Otherwise (rule <see cref="AccessRules.AgencyScope"/>).</exception>
    ValueTask RequireAgencyAsync(ArchiveCaller caller, string agencyId, string objectType, CancellationToken cancellationToken = default);

    /// <summary>Passes when the caller is an administrator.</summary>
    /// <exception cref="ArchiveAccessDeniedException">Otherwise (rule <see cref="AccessRules.AgencyScope"/>).</exception>
    ValueTask RequireAdministratorAsync(ArchiveCaller caller, string objectType, string? objectId, CancellationToken cancellationToken = default);

    /// <summary>Passes when the caller is agency staff (any role but researcher): reorganisation events, plans and custody are internal work of the agencies.</summary>
    /// <exception cref="ArchiveAccessDeniedException">Otherwise (rule <see cref="AccessRules.StaffOnly"/>).</exception>
    ValueTask RequireStaffAsync(ArchiveCaller caller, string objectType, string? objectId, CancellationToken cancellationToken = default);

    /// <summary>Passes when the caller may edit a plan task of <paramref name="agencyId"/>: an administrator, a user of that agency, or of its successor in the event.</summary>
    /// <exception cref="ArchiveNotFoundException">The event does not exist (looked up only when the caller is neither).</exception>
    /// <exception cref="ArchiveAccessDeniedException">Otherwise (rule <see cref="AccessRules.AgencyScope"/>).</exception>
    ValueTask RequirePlanTaskAgencyAsync(ArchiveCaller caller, ReorganisationService events, string eventId, string agencyId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Filters that restrict a search to what the caller may see, so hits, totals, facets and highlights are all
    /// computed on the allowed set: secret excluded without clearance; fonds in the caller's custody for agency staff
    /// that does not read across agencies; accessioned + public for researchers and anonymous readers.
    /// </summary>
    ValueTask<IReadOnlyList<SearchFilter>> SearchFiltersAsync(ArchiveCaller caller, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends a read (record, content, search) to the audit trail before the answer is given: when the trail cannot
    /// store it the call fails (an unaudited read must not happen).
    /// </summary>
    ValueTask AuditReadAsync(ArchiveCaller caller, string action, string objectType, string objectId, string? detail, CancellationToken cancellationToken = default);

    /// <summary>
    /// Audits a create or import refused because the record file code is taken (call it when the engine answered
    /// <see cref="ArchiveConflictException"/> with <see cref="ConflictRules.AlreadyExists"/>), best effort: the taken
    /// record file is read in every case, and one event appended — <c>recordfile.code-collision</c> when the caller may
    /// see it, <c>security.hidden-code-collision</c> (classified as the file is) when not — so that the caller's answer,
    /// identical either way, costs the same, and cleared auditors see probing for hidden codes.
    /// </summary>
    ValueTask AuditCodeCollisionAsync(ArchiveCaller caller, string fileCode, CancellationToken cancellationToken = default);

    /// <summary>
    /// A page of the audit trail as <paramref name="caller"/> may see it: for a caller without secret clearance, events
    /// classified Secret or naming a record file (or its document or content) that is Secret are redacted (object id
    /// and detail left out, <see cref="AuditRecord.Redacted"/>), not matched by an object-id filter, and no event shows
    /// its classification. Refusals of reads answered "not found" are redacted whether the code exists or not (the code
    /// tried may be a secret file's; redacting them all tells nothing). Cleared callers see everything.
    /// </summary>
    ValueTask<AuditPage> QueryAuditAsync(ArchiveCaller caller, IAuditLog log, AuditQuery query, CancellationToken cancellationToken = default);

    /// <summary>Appends a refusal decided by the host (e.g. its role check) to the audit trail, best effort.</summary>
    ValueTask AuditDeniedAsync(ArchiveCaller caller, string? objectType, string? objectId, string detail, CancellationToken cancellationToken = default);
}

/// <summary>Rule identifiers of <see cref="ArchiveAccessDeniedException"/>.</summary>
public static class AccessRules
{
    /// <summary>Another agency holds it, or only an administrator may do this.</summary>
    public const string AgencyScope = "scope.agency";

    /// <summary>For agency staff only (not researchers or anonymous readers).</summary>
    public const string StaffOnly = "scope.staff";
}
