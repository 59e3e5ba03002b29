using System.Text.Json.Serialization;
using Archive.Access;
using Archive.Records;

namespace Archive.Api.Contracts;

/// <summary>A researcher asks to read a conditional record file (yêu cầu khai thác).</summary>
public sealed record CreateAccessRequestRequest
{
    /// <summary>The record file (accessioned, access Conditional).</summary>
    [System.ComponentModel.DataAnnotations.Required]
    public string? FileCode { get; init; }

    /// <summary>Mục đích khai thác: what the record file will be used for (required, at most Archive:AccessRequests:MaxTextLength characters).</summary>
    [System.ComponentModel.DataAnnotations.Required]
    public string? Purpose { get; init; }
}

/// <summary>An approval: the grant's validity in days.</summary>
public sealed record ApproveAccessRequestRequest
{
    /// <summary>Days the grant lasts from now (1 to Archive:AccessRequests:MaxValidDays); the configured default when absent.</summary>
    public int? ValidDays { get; init; }
}

/// <summary>A refusal or a revocation: the reason.</summary>
public sealed record AccessRequestReasonRequest
{
    /// <summary>Lý do (required).</summary>
    [System.ComponentModel.DataAnnotations.Required]
    public string? Reason { get; init; }
}

/// <summary>An access request and its decision.</summary>
public sealed record AccessRequestDto
{
    /// <summary>Identifier.</summary>
    public required string Id { get; init; }

    /// <summary>Version (the ETag).</summary>
    public int Version { get; init; }

    /// <summary>The record file asked for.</summary>
    public required string FileCode { get; init; }

    /// <summary>Its fonds.</summary>
    public required string FondsCode { get; init; }

    /// <summary>Its title when asked.</summary>
    public string? FileTitle { get; init; }

    /// <summary>The researcher (principal id).</summary>
    public required string ResearcherId { get; init; }

    /// <summary>The researcher's name.</summary>
    public required string ResearcherName { get; init; }

    /// <summary>Mục đích khai thác.</summary>
    public required string Purpose { get; init; }

    /// <summary>Pending (chờ duyệt), Approved (đã duyệt), Refused (từ chối), Revoked (thu hồi) or Expired (hết hạn), as of now.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<AccessRequestStatus>))]
    public AccessRequestStatus Status { get; init; }

    /// <summary>When asked.</summary>
    public DateTimeOffset RequestedAt { get; init; }

    /// <summary>When approved or refused.</summary>
    public DateTimeOffset? DecidedAt { get; init; }

    /// <summary>Who approved or refused.</summary>
    public string? DecidedBy { get; init; }

    /// <summary>The grant (named in the audit entry of every read under it).</summary>
    public string? GrantId { get; init; }

    /// <summary>End of the grant's validity.</summary>
    public DateTimeOffset? ValidUntil { get; init; }

    /// <summary>Reason of a refusal or revocation.</summary>
    public string? Reason { get; init; }

    /// <summary>When revoked.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>Who revoked.</summary>
    public string? RevokedBy { get; init; }

    internal static AccessRequestDto From(Versioned<AccessRequest> v, DateTimeOffset now) => From(v.Value, now) with { Version = v.Version };

    internal static AccessRequestDto From(AccessRequest r, DateTimeOffset now) => new()
    {
        Id = r.Id,
        FileCode = r.FileCode,
        FondsCode = r.FondsCode,
        FileTitle = r.FileTitle,
        ResearcherId = r.ResearcherId,
        ResearcherName = r.ResearcherName,
        Purpose = r.Purpose,
        Status = r.StatusAt(now),
        RequestedAt = r.RequestedAt,
        DecidedAt = r.DecidedAt,
        DecidedBy = r.DecidedBy,
        GrantId = r.GrantId,
        ValidUntil = r.ValidUntil,
        Reason = r.Reason,
        RevokedAt = r.RevokedAt,
        RevokedBy = r.RevokedBy,
    };
}

/// <summary>A page of access requests.</summary>
public sealed record AccessRequestPageDto
{
    /// <summary>Requests in id order.</summary>
    public List<AccessRequestDto> Items { get; init; } = [];

    /// <summary>Pass as <c>after</c> for the next page; null on the last.</summary>
    public string? NextAfter { get; init; }
}

/// <summary>A conditional record file as the catalogue shows it without a grant: no text, no content.</summary>
public sealed record ConditionalCatalogueEntryDto
{
    /// <summary>Mã hồ sơ.</summary>
    public required string FileCode { get; init; }

    /// <summary>Tiêu đề hồ sơ.</summary>
    public required string Title { get; init; }

    /// <summary>The fonds.</summary>
    public string? FondsCode { get; init; }

    /// <summary>Thời gian bắt đầu.</summary>
    public DateOnly? StartDate { get; init; }

    /// <summary>Always Conditional (sử dụng có điều kiện).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<AccessLevel>))]
    public AccessLevel Access { get; init; } = AccessLevel.Conditional;

    /// <summary>The caller's own request for it, when it has one.</summary>
    public AccessRequestDto? MyRequest { get; init; }
}

/// <summary>A page of the conditional catalogue.</summary>
public sealed record ConditionalCataloguePageDto
{
    /// <summary>Matching conditional record files.</summary>
    public long Total { get; init; }

    /// <summary>This page.</summary>
    public List<ConditionalCatalogueEntryDto> Items { get; init; } = [];

    /// <summary>Cursor of the next page; null on the last.</summary>
    public string? NextCursor { get; init; }
}
