namespace Archive.Api.Contracts;

/// <summary>Where a paper record file is kept (also the body of <c>PUT /record-files/{fileCode}/location</c>).</summary>
public sealed record PhysicalLocationDto
{
    /// <summary>Mã kho: a storage room registered to the agency holding the record file's fonds.</summary>
    /// <example>H49-K01</example>
    public required string RoomCode { get; init; }

    /// <summary>Giá (shelf), at most 20 characters; a number counts from 1.</summary>
    /// <example>Giá 03</example>
    public string? Shelf { get; init; }

    /// <summary>Khoang (compartment), at most 20 characters; a number counts from 1.</summary>
    /// <example>Khoang 2</example>
    public string? Compartment { get; init; }

    /// <summary>Hộp số (box number), at most 20 characters; a number counts from 1 and is stored without leading zeros.</summary>
    /// <example>12A</example>
    public required string BoxNumber { get; init; }

    /// <summary>Số thứ tự của hồ sơ trong hộp (1 to 9999), when numbered.</summary>
    /// <example>4</example>
    public int? PositionInBox { get; init; }
}

/// <summary>The storage device carrying a record file's digitised copy (also the body of <c>PUT /record-files/{fileCode}/carrier</c>).</summary>
public sealed record DigitalCarrierDto
{
    /// <summary>Loại vật mang tin (at most 100 characters).</summary>
    /// <example>Ổ cứng di động</example>
    public required string Medium { get; init; }

    /// <summary>Ký hiệu/số hiệu thiết bị (at most 100 characters).</summary>
    /// <example>HDD-07</example>
    public string? DeviceLabel { get; init; }

    /// <summary>Số niêm phong (at most 50 characters).</summary>
    /// <example>NP-2025/014</example>
    public string? SealNumber { get; init; }
}

/// <summary>Registers a storage room (kho lưu trữ) of an agency.</summary>
public sealed record CreateStorageRoomRequest
{
    /// <summary>Mã kho, unique in the archive (letters, digits, '.', '-', '_'; at most 50).</summary>
    /// <example>H49-K01</example>
    public required string Code { get; init; }

    /// <summary>Tên kho (at most 200).</summary>
    /// <example>Kho lưu trữ tầng 2</example>
    public required string Name { get; init; }

    /// <summary>The agency whose storage it is (registered; the caller must act for it).</summary>
    /// <example>000.00.00.H49</example>
    public required string AgencyId { get; init; }

    /// <summary>Địa chỉ (at most 500).</summary>
    public string? Address { get; init; }

    /// <summary>Mô tả (at most 2000).</summary>
    public string? Description { get; init; }
}

/// <summary>A storage room (kho lưu trữ) at one version.</summary>
public sealed record StorageRoomDto
{
    /// <summary>Mã kho.</summary>
    /// <example>H49-K01</example>
    public required string Code { get; init; }

    /// <summary>Tên kho.</summary>
    /// <example>Kho lưu trữ tầng 2</example>
    public required string Name { get; init; }

    /// <summary>The agency whose storage it is.</summary>
    /// <example>000.00.00.H49</example>
    public required string AgencyId { get; init; }

    /// <summary>Địa chỉ.</summary>
    public string? Address { get; init; }

    /// <summary>Mô tả.</summary>
    public string? Description { get; init; }

    /// <summary>Package version of this state (the ETag is <c>"v{version}"</c>).</summary>
    /// <example>1</example>
    public int Version { get; init; }

    /// <summary>When this version was committed.</summary>
    public DateTimeOffset Modified { get; init; }

    /// <summary>Who committed it.</summary>
    public string? ModifiedBy { get; init; }
}

/// <summary>One box of a storage room: where it stands and the record files (that the caller may read) it holds.</summary>
public sealed record BoxSummaryDto
{
    /// <summary>Mã kho.</summary>
    public required string RoomCode { get; init; }

    /// <summary>Hộp số.</summary>
    /// <example>12A</example>
    public required string BoxNumber { get; init; }

    /// <summary>Giá (several joined with "; " when the files disagree).</summary>
    public string? Shelf { get; init; }

    /// <summary>Khoang (several joined with "; " when the files disagree).</summary>
    public string? Compartment { get; init; }

    /// <summary>Record files in the box that the caller may read.</summary>
    /// <example>3</example>
    public int Files { get; init; }

    /// <summary>Từ hồ sơ số (the first file's notation, in box order).</summary>
    public string? FirstFile { get; init; }

    /// <summary>Đến hồ sơ số (the last file's notation, in box order).</summary>
    public string? LastFile { get; init; }

    /// <summary>The earliest year of the records.</summary>
    public int? FromYear { get; init; }

    /// <summary>The latest year of the records.</summary>
    public int? ToYear { get; init; }
}

/// <summary>A record file found in a box, in box order.</summary>
public sealed record BoxedRecordFileDto
{
    /// <summary>Mã hồ sơ.</summary>
    public required string FileCode { get; init; }

    /// <summary>Số và ký hiệu hồ sơ.</summary>
    public required string FileNotation { get; init; }

    /// <summary>Tiêu đề hồ sơ.</summary>
    public required string Title { get; init; }

    /// <summary>Năm hình thành hồ sơ.</summary>
    public int FileCatalog { get; init; }

    /// <summary>Mã phông.</summary>
    public required string FondsCode { get; init; }

    /// <summary>Where it is kept.</summary>
    public required PhysicalLocationDto Location { get; init; }

    /// <summary>Package version of the record file.</summary>
    public int Version { get; init; }
}
