using Archive.Audit;
using Archive.Records;

namespace Archive.Security;

/// <summary>
/// Who calls the engine, independent of how the host authenticated them: roles (<see cref="ArchiveRoles"/>), agencies,
/// secret clearance, the user recorded in audit entries and the client address. The host builds one per request or
/// unit of work (the REST facade from the <c>ClaimsPrincipal</c>, a CLI from its own settings) and hands it to
/// <see cref="IArchiveAccessPolicy"/>.
/// </summary>
/// <remarks>
/// A caller also carries the custody the policy has looked up for it (which agency holds a fonds), so that one request
/// reads each fonds once. Custody follows reorganisation events: build a new caller for each request rather than
/// keeping one for the lifetime of the host.
/// </remarks>
public sealed class ArchiveCaller
{
    /// <summary>The name recorded as the actor of an anonymous caller's audit entries.</summary>
    public const string AnonymousActor = "anonymous";

    private static readonly string[] StaffRoles = [ArchiveRoles.Clerk, ArchiveRoles.Archivist, ArchiveRoles.AgencyHead, ArchiveRoles.Supervisor, ArchiveRoles.HistoricalArchives, ArchiveRoles.Administrator];

    private static readonly string[] AcrossRoles = [ArchiveRoles.Supervisor, ArchiveRoles.HistoricalArchives, ArchiveRoles.Administrator];

    private readonly Dictionary<string, string?> _custody = new(StringComparer.Ordinal);

    private readonly Dictionary<string, string> _grants = new(StringComparer.Ordinal);

    private ArchiveCaller(bool authenticated, ArchiveUser user, HashSet<string> roles, HashSet<string> agencies, bool clearance, string? clientAddress, string principalId)
    {
        IsAuthenticated = authenticated;
        User = user;
        PrincipalId = principalId;
        Roles = roles;
        Agencies = agencies;
        HasSecretClearance = clearance;
        ClientAddress = clientAddress;
    }

    /// <summary>An authenticated caller.</summary>
    /// <param name="user">Who it is (the name recorded in package versions and audit entries).</param>
    /// <param name="roles">Its roles (<see cref="ArchiveRoles"/>; compared in lower case, unknown names are kept and grant nothing).</param>
    /// <param name="agencies">The agencies (agency identifiers) it belongs to.</param>
    /// <param name="secretClearance">Whether it may see secret (mật) record files in its scope.</param>
    /// <param name="clientAddress">Where the call came from, for audit entries (optional).</param>
    /// <param name="principalId">
    /// Who it is, unambiguously (recorded as <see cref="Archive.Audit.AuditEvent.ActorId"/>), e.g. <c>apikey:&lt;id&gt;</c>
    /// or <c>jwt:&lt;issuer&gt;|&lt;subject&gt;</c>; default the user's address, else <c>user:</c> + the user's name.
    /// </param>
    /// <returns>The caller.</returns>
    public static ArchiveCaller Authenticated(ArchiveUser user, IEnumerable<string>? roles = null, IEnumerable<string>? agencies = null, bool secretClearance = false, string? clientAddress = null, string? principalId = null)
    {
        ArgumentNullException.ThrowIfNull(user);
        var roleSet = new HashSet<string>(StringComparer.Ordinal);
        foreach (var role in roles ?? [])
        {
            if (!string.IsNullOrWhiteSpace(role))
            {
                roleSet.Add(role.Trim().ToLowerInvariant());
            }
        }

        var agencySet = new HashSet<string>(StringComparer.Ordinal);
        foreach (var agency in agencies ?? [])
        {
            if (!string.IsNullOrWhiteSpace(agency))
            {
                agencySet.Add(agency.Trim());
            }
        }

        var id = !string.IsNullOrWhiteSpace(principalId) ? principalId.Trim()
            : !string.IsNullOrWhiteSpace(user.Address) ? user.Address
            : "user:" + user.Name;
        return new ArchiveCaller(true, user, roleSet, agencySet, secretClearance, clientAddress, id);
    }

    /// <summary>An anonymous caller (a reader of the reading room): no role, no agency, no clearance; it sees what a researcher sees.</summary>
    /// <param name="user">The user recorded in package versions (default <see cref="AnonymousActor"/>); audit entries name <see cref="AnonymousActor"/>.</param>
    /// <param name="clientAddress">Where the call came from, for audit entries (optional).</param>
    /// <returns>The caller.</returns>
    public static ArchiveCaller Anonymous(ArchiveUser? user = null, string? clientAddress = null)
        => new(false, user ?? new ArchiveUser(AnonymousActor), new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal), false, clientAddress, AnonymousActor);

    /// <summary>Whether the host authenticated the caller.</summary>
    public bool IsAuthenticated { get; }

    /// <summary>The user recorded as the author of changes.</summary>
    public ArchiveUser User { get; }

    /// <summary>The actor of the caller's audit entries: the user's name, or <see cref="AnonymousActor"/>.</summary>
    public string Actor => IsAuthenticated ? User.Name : AnonymousActor;

    /// <summary>
    /// Who the caller is, unambiguously (names are not unique): e.g. <c>apikey:&lt;id&gt;</c>,
    /// <c>jwt:&lt;issuer&gt;|&lt;subject&gt;</c>, or <see cref="AnonymousActor"/>. Recorded as <see cref="Archive.Audit.AuditEvent.ActorId"/>.
    /// </summary>
    public string PrincipalId { get; }

    /// <summary>Roles, lower case.</summary>
    public IReadOnlySet<string> Roles { get; }

    /// <summary>The roles as recorded in audit events (<see cref="Archive.Audit.AuditEvent.ActorRoles"/>): comma-separated, ordinal order; null when none.</summary>
    public string? RolesForAudit => Roles.Count == 0 ? null : string.Join(',', Roles.Order(StringComparer.Ordinal));

    /// <summary>Agency identifiers the caller belongs to.</summary>
    public IReadOnlySet<string> Agencies { get; }

    /// <summary>Whether the caller may see <see cref="AccessLevel.Secret"/> record files in its scope.</summary>
    public bool HasSecretClearance { get; }

    /// <summary>Where the call came from (recorded in audit entries), when the host knows.</summary>
    public string? ClientAddress { get; }

    /// <summary>
    /// An audit event of <paramref name="action"/> by this caller, naming it as every event must: actor, principal id,
    /// roles, agency and client address; the caller adds the object, outcome and detail (<c>with { ... }</c>).
    /// </summary>
    /// <param name="action">The action (<see cref="AuditActions"/>).</param>
    public AuditEvent ToAuditEvent(string action) => new()
    {
        Action = action,
        Actor = Actor,
        ActorId = PrincipalId,
        ActorRoles = RolesForAudit,
        ActorAgencyId = PrimaryAgency,
        ClientAddress = ClientAddress,
    };

    /// <summary>Staff (any role but researcher): sees the records in its scope.</summary>
    public bool IsStaff => StaffRoles.Any(Roles.Contains);

    /// <summary>Supervisor, Historical Archives staff, administrator: read every agency's records.</summary>
    public bool ReadsAcross => AcrossRoles.Any(Roles.Contains);

    /// <summary>Administrator: changes every agency's records.</summary>
    public bool WritesAcross => Roles.Contains(ArchiveRoles.Administrator);

    /// <summary>The caller's first agency in ordinal order (for audit), or null.</summary>
    public string? PrimaryAgency => Agencies.Count == 0 ? null : Agencies.Order(StringComparer.Ordinal).First();

    /// <summary>Whether <paramref name="role"/> is one of the caller's roles.</summary>
    public bool IsInRole(string role) => role is not null && Roles.Contains(role);

    /// <summary>
    /// What a researcher (or an anonymous reader) may see of a record file: accessioned and public. Every caller sees
    /// at least that much.
    /// </summary>
    public static bool ReaderMaySee(RecordFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return file.AccessionedAt is not null && file.Rights == AccessLevel.Public;
    }

    /// <summary>Whether the caller may read <paramref name="file"/>, held by <paramref name="custodian"/> (the agency holding its fonds today).</summary>
    public bool MayRead(RecordFile file, string? custodian)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (ReaderMaySee(file))
        {
            return true;
        }

        if (!IsStaff || (file.Rights == AccessLevel.Secret && !HasSecretClearance))
        {
            return false;
        }

        return ReadsAcross || (custodian is not null && Agencies.Contains(custodian));
    }

    /// <summary>Whether the caller may change what <paramref name="custodian"/> holds (the role itself is the host's check).</summary>
    public bool MayChange(string? custodian) => WritesAcross || (custodian is not null && Agencies.Contains(custodian));

    /// <summary>The access grant under which the policy let this caller read an object of the record file named by <paramref name="objectId"/> (its code, or code/…), or null.</summary>
    internal string? GrantFor(string objectId)
    {
        var slash = objectId.IndexOf('/', StringComparison.Ordinal);
        var code = slash < 0 ? objectId : objectId[..slash];
        lock (_grants)
        {
            return _grants.GetValueOrDefault(code);
        }
    }

    internal void RememberGrant(string fileCode, string grantId)
    {
        lock (_grants)
        {
            _grants[fileCode] = grantId;
        }
    }

    internal bool TryGetCustodian(string fondsCode, out string? custodian)
    {
        lock (_custody)
        {
            return _custody.TryGetValue(fondsCode, out custodian);
        }
    }

    internal void RememberCustodian(string fondsCode, string? custodian)
    {
        lock (_custody)
        {
            _custody[fondsCode] = custodian;
        }
    }
}
