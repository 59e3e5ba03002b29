/// <summary>
/// An exclusive lock on <c>DataPath/archive-server.lock</c> (an advisory OS lock, released when the process ends, even
/// by a crash): the standalone server holds it while it runs, an offline exchange verb for the length of its run. Two
/// processes must not write the same data folder at once — the search index in it has one writer — so a verb refuses
/// to run while the server (or another verb) holds the lock. The server only warns when it cannot take it (it starts
/// as before).
/// </summary>
internal sealed class DataFolderLock : IDisposable
{
    /// <summary>The lock file's name in the data folder.</summary>
    public const string FileName = "archive-server.lock";

    private readonly FileStream _file;

    private DataFolderLock(FileStream file) => _file = file;

    /// <summary>The lock, or null when another process holds it.</summary>
    public static DataFolderLock? TryAcquire(string dataPath)
    {
        Directory.CreateDirectory(dataPath);
        try
        {
            var file = new FileStream(Path.Combine(dataPath, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return new DataFolderLock(file);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();
}
