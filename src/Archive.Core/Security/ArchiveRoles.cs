namespace Archive.Security;

/// <summary>
/// Role names an <see cref="ArchiveCaller"/> carries (the REST facade reads them from the claim <c>role</c>, also
/// accepted as <see cref="System.Security.Claims.ClaimTypes.Role"/> and <c>roles</c>). What each role may do is listed
/// in <c>docs/security.md</c>; <see cref="ArchiveAccessPolicy"/> applies the record-level rules.
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
