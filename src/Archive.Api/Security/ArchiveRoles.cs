namespace Archive.Api.Security;

/// <summary>
/// Role names (claim <see cref="ArchiveClaims.Role"/>, also accepted as <see cref="System.Security.Claims.ClaimTypes.Role"/>
/// and <c>roles</c>). The policy each role satisfies is listed in <c>docs/security.md</c>.
/// </summary>
public static class ArchiveRoles
{
    /// <summary>Văn thư: registers and files records of the own agency.</summary>
    public const string Clerk = "clerk";

    /// <summary>Lưu trữ viên: keeps the agency archive (fonds, schedules, weeding, legal hold).</summary>
    public const string Archivist = "archivist";

    /// <summary>Head of an agency: everything an archivist does, plus disposition decisions.</summary>
    public const string AgencyHead = "agency-head";

    /// <summary>Sở Nội vụ (Department of Home Affairs): reads across agencies, audits.</summary>
    public const string Supervisor = "supervisor";

    /// <summary>Lưu trữ lịch sử staff: reads across agencies, accessions transfers.</summary>
    public const string HistoricalArchives = "historical-archives";

    /// <summary>Độc giả: sees only accessioned, public record files.</summary>
    public const string Researcher = "researcher";

    /// <summary>Operator: every policy, across agencies.</summary>
    public const string Administrator = "administrator";

    /// <summary>Every role, in the order above.</summary>
    public static IReadOnlyList<string> All { get; } = [Clerk, Archivist, AgencyHead, Supervisor, HistoricalArchives, Researcher, Administrator];

    /// <summary>Whether <paramref name="role"/> is one of <see cref="All"/> (exact, lower case).</summary>
    public static bool IsKnown(string? role) => role is not null && All.Contains(role, StringComparer.Ordinal);
}

/// <summary>Claim types the Archive API reads from the caller's principal.</summary>
public static class ArchiveClaims
{
    /// <summary>Role claim type (<c>role</c>).</summary>
    public const string Role = "role";

    /// <summary>Agency claim type: an agency identifier the caller belongs to (several allowed).</summary>
    public const string Agency = "archive:agency";

    /// <summary>Clearance claim type; the value <see cref="SecretClearance"/> lets the caller see secret (mật) records in scope.</summary>
    public const string Clearance = "archive:clearance";

    /// <summary>The clearance value for secret records.</summary>
    public const string SecretClearance = "secret";

    /// <summary>Claim naming the API key that authenticated the caller.</summary>
    public const string ApiKeyId = "archive:api-key";
}
