namespace Archive.Records;

/// <summary>
/// A storage room (kho lưu trữ) of an agency: where its paper record files are kept, on shelves (giá), in compartments
/// (khoang) and boxes (hộp). A record file's <see cref="PhysicalLocation.RoomCode"/> names one; only the agency holding
/// the record file's fonds may keep it in its rooms.
/// </summary>
public sealed record StorageRoom
{
    /// <summary>Mã kho, unique in the archive (letters, digits, '.', '-', '_'), e.g. <c>H49-K01</c>.</summary>
    public required string Code { get; init; }

    /// <summary>Tên kho, e.g. <c>Kho lưu trữ tầng 2</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The agency whose storage it is (mã định danh; registered).</summary>
    public required string AgencyId { get; init; }

    /// <summary>Địa chỉ (where the room is), when given.</summary>
    public string? Address { get; init; }

    /// <summary>Mô tả (capacity, equipment, notes), when given.</summary>
    public string? Description { get; init; }
}
