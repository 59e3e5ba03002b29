namespace Archive.Access;

/// <summary>
/// Researchers' access requests for conditional records (<c>Archive:AccessRequests</c> in the standalone server):
/// how long an approval lasts when the archivist does not say, the longest it may last, and the longest purpose.
/// </summary>
public sealed class AccessRequestOptions
{
    /// <summary>Days a grant lasts when the approval names none (default 30).</summary>
    public int DefaultValidDays { get; set; } = 30;

    /// <summary>The most days an approval may grant (default 180).</summary>
    public int MaxValidDays { get; set; } = 180;

    /// <summary>Longest purpose (mục đích khai thác) and reason, in characters (default 2,000).</summary>
    public int MaxTextLength { get; set; } = 2000;

    /// <summary>The problems of these options, empty when they are sound.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (MaxValidDays is < 1 or > 3660)
        {
            problems.Add("Archive:AccessRequests:MaxValidDays must be between 1 and 3660.");
        }

        if (DefaultValidDays < 1 || DefaultValidDays > MaxValidDays)
        {
            problems.Add("Archive:AccessRequests:DefaultValidDays must be between 1 and MaxValidDays.");
        }

        if (MaxTextLength is < 10 or > 100_000)
        {
            problems.Add("Archive:AccessRequests:MaxTextLength must be between 10 and 100000.");
        }

        return problems;
    }
}

/// <summary>Rule identifiers of access requests.</summary>
public static class AccessRequestRules
{
    /// <summary>Only a researcher (an authenticated caller with the researcher role) may ask.</summary>
    public const string ResearcherOnly = "access-request.researcher-only";

    /// <summary>The record file is public: it is read without a request.</summary>
    public const string NotConditional = "access-request.not-conditional";

    /// <summary>The researcher has a request for this record file waiting already.</summary>
    public const string AlreadyPending = "access-request.pending";

    /// <summary>The researcher holds a valid grant for this record file already.</summary>
    public const string AlreadyGranted = "access-request.granted";

    /// <summary>The request is no longer waiting (approved, refused or revoked): it is decided once.</summary>
    public const string NotPending = "access-request.not-pending";

    /// <summary>Only a valid approval can be revoked.</summary>
    public const string NotGranted = "access-request.not-granted";

    /// <summary>The validity is below one day or beyond the configured maximum.</summary>
    public const string Validity = "access-request.validity";

    /// <summary>Only an archivist or the agency head of the holding archives (or an administrator) decides.</summary>
    public const string ArchivistOnly = "access-request.archivist-only";
}
