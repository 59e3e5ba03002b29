namespace Archive.ReadingRoom;

/// <summary>Settings of the reading room page.</summary>
public sealed class ReadingRoomOptions
{
    /// <summary>Where the Archive REST endpoints are mapped on this host (default <c>/api</c>); the page calls them from the browser.</summary>
    public string ApiBase { get; set; } = "/api";

    /// <summary>The page title (default <c>Phòng đọc</c>).</summary>
    public string Title { get; set; } = "Phòng đọc";
}
