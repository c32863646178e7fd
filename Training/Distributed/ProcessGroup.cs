using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MiniBioBert.Training.Distributed;

/// <summary>
/// The processes that train one model together, and the collective operations data parallelism needs: sums over
/// every rank (gradients, metrics), broadcasts from rank 0 (parameters at the start, the run's decisions) and a
/// barrier. A process started by <c>mpirun</c> (Open MPI sets <c>OMPI_COMM_WORLD_SIZE</c>) joins the MPI job
/// (<see cref="Mpi"/>); any other process is a group of one, where every collective is the identity and MPI is never
/// loaded.
/// </summary>
internal sealed class ProcessGroup
{
    private readonly bool _usesMpi;
    private readonly Stopwatch _communication = new();

    private ProcessGroup(int rank, int size, int localRank, bool usesMpi)
    {
        (Rank, Size, LocalRank, _usesMpi) = (rank, size, localRank, usesMpi);
    }

    /// <summary>A process training alone.</summary>
    public static ProcessGroup Single { get; } = new(0, 1, 0, usesMpi: false);

    /// <summary>This process's number, 0 … <see cref="Size"/> − 1; rank 0 alone writes logs, plots and checkpoints.</summary>
    public int Rank { get; }

    /// <summary>The number of processes (N).</summary>
    public int Size { get; }

    /// <summary>The rank among the processes of this machine (what picks a GPU).</summary>
    public int LocalRank { get; }

    /// <summary>True on the one process that writes the run's files and prints its progress.</summary>
    public bool IsWriter => Rank == 0;

    /// <summary>Time spent in collective operations so far, waiting for slower ranks included.</summary>
    public TimeSpan CommunicationTime => _communication.Elapsed;

    /// <summary>True when this process was started by Open MPI's <c>mpirun</c>.</summary>
    public static bool StartedByMpirun => Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null;

    /// <summary>
    /// The MPI job this process belongs to when <see cref="StartedByMpirun"/> (initialises MPI), else <see cref="Single"/>.
    /// Call <see cref="Finish"/> at the end of a run that went well.
    /// </summary>
    public static ProcessGroup Join()
    {
        if (!StartedByMpirun)
        {
            return Single;
        }
        Mpi.InitThread();
        int localRank = int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_RANK"), out int local) ? local : 0;
        return new ProcessGroup(Mpi.Rank(), Mpi.Size(), localRank, usesMpi: true);
    }

    /// <summary>values ← Σ over ranks of values, element by element, on every rank.</summary>
    public void SumInPlace(Span<float> values)
    {
        if (_usesMpi)
        {
            _communication.Start();
            Mpi.AllReduceSum(values);
            _communication.Stop();
        }
    }

    /// <summary>values ← Σ over ranks of values, in double.</summary>
    public void SumInPlace(Span<double> values)
    {
        if (_usesMpi)
        {
            _communication.Start();
            Mpi.AllReduceSum(values);
            _communication.Stop();
        }
    }

    /// <summary>values ← rank 0's values, on every rank.</summary>
    public void BroadcastFromRankZero(Span<float> values)
    {
        if (_usesMpi)
        {
            _communication.Start();
            Mpi.Broadcast(values, root: 0);
            _communication.Stop();
        }
    }

    /// <summary>values ← rank 0's values, on every rank.</summary>
    public void BroadcastFromRankZero(Span<long> values)
    {
        if (_usesMpi)
        {
            _communication.Start();
            Mpi.Broadcast(MemoryMarshal.AsBytes(values), root: 0);
            _communication.Stop();
        }
    }

    /// <summary>Rank 0's text, on every rank (its length first, then its UTF-8 bytes).</summary>
    public string BroadcastFromRankZero(string text)
    {
        if (!_usesMpi)
        {
            return text;
        }
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text);
        Span<long> length = [bytes.Length];
        BroadcastFromRankZero(length);
        Array.Resize(ref bytes, (int)length[0]);
        _communication.Start();
        Mpi.Broadcast(bytes, root: 0);
        _communication.Stop();
        return System.Text.Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Returns when every rank has called it.</summary>
    public void Barrier()
    {
        if (_usesMpi)
        {
            _communication.Start();
            Mpi.Barrier();
            _communication.Stop();
        }
    }

    /// <summary>
    /// Ends MPI after a run that went well: a barrier (no rank leaves while rank 0 still writes the last checkpoint),
    /// then <c>MPI_Finalize</c>. A rank that fails never gets here: it prints its <c>error:</c> line and exits with a
    /// non-zero code without finalizing, and mpirun then ends every other rank of the job.
    /// </summary>
    public void Finish()
    {
        if (_usesMpi)
        {
            Barrier();
            Mpi.End();
        }
    }
}
