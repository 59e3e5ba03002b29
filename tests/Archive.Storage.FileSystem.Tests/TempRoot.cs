namespace Archive.Storage.FileSystem.Tests;

/// <summary>A fresh folder under the system temp folder, removed on dispose.</summary>
public sealed class TempRoot : IDisposable
{
    public TempRoot(string? name = null)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "archive-fs-tests", (name ?? "t") + "-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
