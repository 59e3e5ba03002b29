namespace Archive.Api.Security;

/// <summary>
/// Names of the authorization policies that guard the Archive endpoints (registered by <c>AddArchiveApi</c>). Every
/// endpoint declares exactly one with <c>.RequireAuthorization(ArchivePolicies.X)</c>; record-level checks (agency
/// custody, access level, accession) are applied inside the handlers on top of it.
/// </summary>
public static class ArchivePolicies
{
    /// <summary>Read record files, documents, contents and search, within the caller's scope.</summary>
    public const string Read = "archive.read";

    /// <summary>Create and change record files, documents and contents in the caller's agency.</summary>
    public const string Write = "archive.write";

    /// <summary>Manage agencies, fonds, retention schedules, reorganisation events and plans; export handovers.</summary>
    public const string Manage = "archive.manage";

    /// <summary>Approve and carry out disposition (destruction) decisions.</summary>
    public const string Dispose = "archive.dispose";

    /// <summary>Receive transfers and accession records (Historical Archives staff).</summary>
    public const string Accession = "archive.accession";

    /// <summary>Query and verify the audit trail (auditors: supervisors and administrators).</summary>
    public const string Audit = "archive.audit";

    /// <summary>Operate the service: API keys, reindex, jobs.</summary>
    public const string Admin = "archive.admin";
}
