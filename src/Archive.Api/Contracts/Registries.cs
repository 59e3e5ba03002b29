using System.Text.Json.Serialization;
using Archive.Records;

namespace Archive.Api.Contracts;

/// <summary>Registers an agency (cơ quan, tổ chức).</summary>
public sealed record CreateAgencyRequest
{
    /// <summary>Mã định danh (agency identifier, QCVN 102:2016 <c>NNN.NN.NN.LNN</c> or up to 35 characters of A-Z, 0-9 and '.').</summary>
    /// <example>000.00.00.G09</example>
    public required string Id { get; init; }

    /// <summary>Tên cơ quan, tổ chức (official name, 200).</summary>
    /// <example>Bộ Nội vụ</example>
    public required string Name { get; init; }

    /// <summary>Mã định danh của cơ quan cấp trên (superior agency), if any.</summary>
    public string? ParentId { get; init; }

    /// <summary>Lifecycle status: Active, Merged (sáp nhập), Consolidated (hợp nhất), Split (chia, tách), Dissolved (giải thể).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<AgencyStatus>))]
    public AgencyStatus Status { get; init; } = AgencyStatus.Active;
}

/// <summary>Replaces an agency's description (send <c>If-Match</c>).</summary>
public sealed record UpdateAgencyRequest
{
    /// <summary>Tên cơ quan, tổ chức (official name, 200).</summary>
    /// <example>Bộ Nội vụ</example>
    public required string Name { get; init; }

    /// <summary>Mã định danh của cơ quan cấp trên (superior agency), if any.</summary>
    public string? ParentId { get; init; }

    /// <summary>Lifecycle status.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<AgencyStatus>))]
    public AgencyStatus Status { get; init; } = AgencyStatus.Active;
}

/// <summary>An agency (cơ quan, tổ chức) at one version.</summary>
public sealed record AgencyDto
{
    /// <summary>Mã định danh (agency identifier).</summary>
    /// <example>000.00.00.G09</example>
    public required string Id { get; init; }

    /// <summary>Tên cơ quan, tổ chức.</summary>
    /// <example>Bộ Nội vụ</example>
    public required string Name { get; init; }

    /// <summary>Mã định danh của cơ quan cấp trên.</summary>
    public string? ParentId { get; init; }

    /// <summary>Lifecycle status.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<AgencyStatus>))]
    public AgencyStatus Status { get; init; }

    /// <summary>Package version of this state (the ETag is <c>"v{version}"</c>).</summary>
    /// <example>1</example>
    public int Version { get; init; }

    /// <summary>When this version was committed.</summary>
    public DateTimeOffset Modified { get; init; }

    /// <summary>Who committed it.</summary>
    public string? ModifiedBy { get; init; }
}

/// <summary>Creates a fonds (phông lưu trữ) for a registered agency that has none yet.</summary>
public sealed record CreateFondsRequest
{
    /// <summary>Mã phông (fonds code; letters, digits, '.', '-', '_').</summary>
    /// <example>P-G09</example>
    public required string Code { get; init; }

    /// <summary>Tên phông (fonds name, 500).</summary>
    /// <example>Phông Bộ Nội vụ</example>
    public required string Name { get; init; }

    /// <summary>Cơ quan hình thành phông (creating agency identifier; one fonds per creating agency).</summary>
    /// <example>000.00.00.G09</example>
    public required string AgencyId { get; init; }

    /// <summary>Cơ quan đang quản lý tài liệu (custodian agency), when not the creator.</summary>
    public string? CustodianAgencyId { get; init; }

    /// <summary>Lịch sử đơn vị hình thành phông (history of the creating body).</summary>
    public string? History { get; init; }

    /// <summary>Phương án phân loại (classification scheme).</summary>
    public string? ClassificationScheme { get; init; }

    /// <summary>Main language (ISO 639-1).</summary>
    /// <example>vi</example>
    public string Language { get; init; } = "vi";

    /// <summary>Ghi chú (notes).</summary>
    public string? Notes { get; init; }
}

/// <summary>Closes a fonds (đóng phông) — irreversible: it receives no new record files afterwards.</summary>
public sealed record CloseFondsRequest
{
    /// <summary>Ngày đóng phông (not in the future), e.g. the day the agency stopped operating.</summary>
    /// <example>2025-06-30</example>
    public required DateOnly ClosedOn { get; init; }

    /// <summary>Lý do đóng phông, e.g. the reorganisation decision.</summary>
    /// <example>Sáp nhập theo Nghị quyết 76/2025/UBTVQH15</example>
    public required string Reason { get; init; }
}

/// <summary>A fonds (phông lưu trữ) at one version.</summary>
public sealed record FondsDto
{
    /// <summary>Mã phông.</summary>
    /// <example>P-G09</example>
    public required string Code { get; init; }

    /// <summary>Tên phông.</summary>
    /// <example>Phông Bộ Nội vụ</example>
    public required string Name { get; init; }

    /// <summary>Cơ quan hình thành phông.</summary>
    /// <example>000.00.00.G09</example>
    public required string AgencyId { get; init; }

    /// <summary>Cơ quan đang quản lý tài liệu.</summary>
    public string? CustodianAgencyId { get; init; }

    /// <summary>Open, or Closed (đã đóng phông).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<FondsStatus>))]
    public FondsStatus Status { get; init; }

    /// <summary>Ngày đóng phông.</summary>
    public DateOnly? ClosedOn { get; init; }

    /// <summary>Lý do đóng phông.</summary>
    public string? ClosingReason { get; init; }

    /// <summary>Lịch sử đơn vị hình thành phông.</summary>
    public string? History { get; init; }

    /// <summary>Phương án phân loại.</summary>
    public string? ClassificationScheme { get; init; }

    /// <summary>Main language.</summary>
    public string Language { get; init; } = "vi";

    /// <summary>Ghi chú.</summary>
    public string? Notes { get; init; }

    /// <summary>Package version of this state (the ETag is <c>"v{version}"</c>).</summary>
    public int Version { get; init; }

    /// <summary>When this version was committed.</summary>
    public DateTimeOffset Modified { get; init; }

    /// <summary>Who committed it.</summary>
    public string? ModifiedBy { get; init; }
}
