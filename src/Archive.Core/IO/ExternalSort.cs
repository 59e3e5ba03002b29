using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Archive.IO;

/// <summary>
/// Sorts more items than should be held in memory: items are buffered up to <see cref="RunSize"/>, each full buffer is
/// sorted and written to a temporary run file (<c>sort-&lt;guid&gt;.run</c>, deleted on close and, after a crash, by
/// <see cref="TempLeftovers"/>), and <see cref="Sorted"/> merges the runs (a k-way merge over one item per run). Memory
/// is one buffer plus one item per run, whatever the number of items. Items are serialised with System.Text.Json, so
/// they must round-trip through the type info given. Not thread-safe; <see cref="Sorted"/> once.
/// </summary>
internal sealed class ExternalSort<T> : IDisposable
{
    private readonly IComparer<T> _comparer;
    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly string _folder;
    private readonly List<T> _buffer = [];
    private readonly List<FileStream> _runs = [];
    private bool _sorted;

    /// <summary>Creates the sorter; run files go to <paramref name="folder"/> (created when missing).</summary>
    public ExternalSort(IComparer<T> comparer, JsonTypeInfo<T> typeInfo, string folder, int runSize = DefaultRunSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runSize, 1);
        _comparer = comparer;
        _typeInfo = typeInfo;
        _folder = folder;
        RunSize = runSize;
    }

    /// <summary>Items held in memory before a run is written (a catalogue row is ~1 KB: 4,096 rows ≈ 4 MB).</summary>
    public const int DefaultRunSize = 4096;

    /// <summary>Items per run.</summary>
    public int RunSize { get; }

    /// <summary>How many runs were written to disk (0 while everything fits in one buffer).</summary>
    public int RunCount => _runs.Count;

    /// <summary>Adds an item.</summary>
    public void Add(T item)
    {
        ObjectDisposedException.ThrowIf(_sorted, this);
        _buffer.Add(item);
        if (_buffer.Count >= RunSize)
        {
            Spill();
        }
    }

    /// <summary>Every item added, in order (ties keep no particular order). Enumerate once.</summary>
    public IEnumerable<T> Sorted()
    {
        ObjectDisposedException.ThrowIf(_sorted, this);
        _sorted = true;
        _buffer.Sort(_comparer);
        return _runs.Count == 0 ? _buffer : Merge();
    }

    private IEnumerable<T> Merge()
    {
        // The last buffer stays in memory as one more "run".
        var sources = new List<IEnumerator<T>>(_runs.Count + 1);
        try
        {
            foreach (var run in _runs)
            {
                run.Position = 0;
                sources.Add(Read(run).GetEnumerator());
            }

            sources.Add(_buffer.GetEnumerator());
            var heap = new PriorityQueue<int, T>(sources.Count, _comparer);
            for (var i = 0; i < sources.Count; i++)
            {
                if (sources[i].MoveNext())
                {
                    heap.Enqueue(i, sources[i].Current);
                }
            }

            while (heap.TryDequeue(out var i, out var item))
            {
                yield return item;
                if (sources[i].MoveNext())
                {
                    heap.Enqueue(i, sources[i].Current);
                }
            }
        }
        finally
        {
            foreach (var s in sources)
            {
                s.Dispose();
            }
        }
    }

    private IEnumerable<T> Read(FileStream run)
    {
        var length = new byte[4];
        var buffer = new byte[1024];
        var reader = run; // buffered by the FileStream itself; closed by Dispose
        while (true)
        {
            var got = reader.ReadAtLeast(length, 4, throwOnEndOfStream: false);
            if (got == 0)
            {
                yield break;
            }

            if (got < 4)
            {
                throw new InvalidDataException("A sort run ends inside an item.");
            }

            var n = BinaryPrimitives.ReadInt32LittleEndian(length);
            if (n > buffer.Length)
            {
                buffer = new byte[Math.Max(n, buffer.Length * 2)];
            }

            reader.ReadExactly(buffer, 0, n);
            yield return JsonSerializer.Deserialize(buffer.AsSpan(0, n), _typeInfo)!;
        }
    }

    private void Spill()
    {
        _buffer.Sort(_comparer);
        Directory.CreateDirectory(_folder);
        var run = new FileStream(Path.Combine(_folder, "sort-" + Guid.NewGuid().ToString("N") + ".run"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose);
        try
        {
            _runs.Add(run);
        }
        catch
        {
            run.Dispose();
            throw;
        }

        Span<byte> length = stackalloc byte[4];
        foreach (var item in _buffer)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(item, _typeInfo);
            BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
            run.Write(length);
            run.Write(bytes);
        }

        run.Flush();

        _buffer.Clear();
    }

    /// <summary>Closes (and so deletes) the run files.</summary>
    public void Dispose()
    {
        _sorted = true;
        foreach (var run in _runs)
        {
            run.Dispose();
        }

        _runs.Clear();
        _buffer.Clear();
    }
}
