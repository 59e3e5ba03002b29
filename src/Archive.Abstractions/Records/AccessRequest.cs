namespace Archive.Records;

/// <summary>Where a researcher's access request (yêu cầu khai thác) stands.</summary>
public enum AccessRequestStatus
{
    /// <summary>Chờ duyệt: waiting for an archivist of the holding archives.</summary>
    Pending = 0,

    /// <summary>Đã duyệt: a grant until <see cref="AccessRequest.ValidUntil"/>.</summary>
    Approved = 1,

    /// <summary>Từ chối: refused, with a reason.</summary>
    Refused = 2,

    /// <summary>Thu hồi: an approval withdrawn before it expired, with a reason.</summary>
    Revoked = 3,

    /// <summary>Hết hạn: an approval whose validity has run out (never stored: derived from <see cref="AccessRequest.ValidUntil"/>).</summary>
    Expired = 4,
}

/// <summary>
/// A researcher's request to read a record file with conditional access (<see cref="AccessLevel.Conditional"/>, sử dụng có
/// điều kiện) and its decision: an approval is a time-limited grant for that researcher and that record file only.
/// One per researcher and record file; a new request after a refusal, a revocation or an expiry is a new version of it.
/// </summary>
public sealed record AccessRequest
{
    /// <summary>Identifier (<c>AR-</c> + 24 hexadecimal digits, derived from the researcher and the record file).</summary>
    public required string Id { get; init; }

    /// <summary>The record file asked for.</summary>
    public required string FileCode { get; init; }

    /// <summary>Its fonds when asked (the holding archives is the agency holding this fonds when a decision is made).</summary>
    public required string FondsCode { get; init; }

    /// <summary>The record file's title when asked (catalogue description, for the lists).</summary>
    public string? FileTitle { get; init; }

    /// <summary>Who asked, unambiguously (the caller's principal id, e.g. <c>apikey:&lt;id&gt;</c>).</summary>
    public required string ResearcherId { get; init; }

    /// <summary>The researcher's name.</summary>
    public required string ResearcherName { get; init; }

    /// <summary>Mục đích khai thác: what the researcher will use the record file for.</summary>
    public required string Purpose { get; init; }

    /// <summary>The stored status (never <see cref="AccessRequestStatus.Expired"/>; see <see cref="StatusAt"/>).</summary>
    public AccessRequestStatus Status { get; init; }

    /// <summary>When the request was made.</summary>
    public DateTimeOffset RequestedAt { get; init; }

    /// <summary>When it was approved or refused.</summary>
    public DateTimeOffset? DecidedAt { get; init; }

    /// <summary>Who approved or refused it.</summary>
    public string? DecidedBy { get; init; }

    /// <summary>The grant's identifier (<c>G-</c> + 16 hexadecimal digits), named in the audit entry of every read under it.</summary>
    public string? GrantId { get; init; }

    /// <summary>The end of the grant's validity (exclusive).</summary>
    public DateTimeOffset? ValidUntil { get; init; }

    /// <summary>The reason of a refusal or a revocation.</summary>
    public string? Reason { get; init; }

    /// <summary>When an approval was revoked.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>Who revoked it.</summary>
    public string? RevokedBy { get; init; }

    /// <summary>The status at <paramref name="now"/>: <see cref="AccessRequestStatus.Expired"/> for an approval whose validity has run out.</summary>
    public AccessRequestStatus StatusAt(DateTimeOffset now)
        => Status == AccessRequestStatus.Approved && (ValidUntil is not { } until || until <= now) ? AccessRequestStatus.Expired : Status;

    /// <summary>Whether the grant lets its researcher read the record file at <paramref name="now"/>.</summary>
    public bool IsValidAt(DateTimeOffset now) => StatusAt(now) == AccessRequestStatus.Approved && GrantId is not null;
}
