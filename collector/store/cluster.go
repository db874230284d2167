package store

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/ashiato/ashiato/queries"
)

// cluster is how statements reach every node of a ClickHouse cluster
// (clickhouse_cluster). With ZooKeeper or Keeper the server runs DDL and
// mutations ON CLUSTER; without (ClickHouse 18.16 answers "DDL background
// thread is not initialized") the store runs them on each node itself,
// over a connection of its own to every node that system.clusters names.
type cluster struct {
	onCluster bool          // the server has ZooKeeper/Keeper: ON CLUSTER
	nodes     []driver.Conn // the nodes other than the DSN's, when !onCluster
	addrs     []string      // their addresses, for errors
}

// clusterSettings are the settings of every query on a cluster: an insert
// into a Distributed table returns once every shard has the rows (not when
// they are queued on the node that received them, which could lose them
// and would hide a failed insert from the exactly-once writer), and an IN
// or JOIN over a Distributed table inside a query over another runs once,
// on the node asked, with its result sent to the shards (GLOBAL IN): the
// small tables live on the first shard only. Servers before 19.x (protocol
// revision 54429) take only numeric settings from a client, so there
// distributed_product_mode must come from the user's profile
// (deploy/clickhouse-cluster/users.d/ashiato.xml); checkProductMode says so.
func clusterSettings(v driver.ServerVersion) clickhouse.Settings {
	s := clickhouse.Settings{"insert_distributed_sync": 1}
	if v.Revision > stringSettingsRevision {
		s["distributed_product_mode"] = "global"
	}
	return s
}

// stringSettingsRevision is the last protocol revision that sends settings
// as numbers (DBMS_MIN_REVISION_WITH_SETTINGS_SERIALIZED_AS_STRINGS).
const stringSettingsRevision = 54429

// checkProductMode fails unless queries on conn run with
// distributed_product_mode = global.
func checkProductMode(ctx context.Context, conn driver.Conn) error {
	var mode string
	if err := conn.QueryRow(ctx, "SELECT value FROM system.settings WHERE name = 'distributed_product_mode'").Scan(&mode); err != nil {
		return fmt.Errorf("read distributed_product_mode: %w", err)
	}
	if mode != "global" {
		return fmt.Errorf("on a cluster the collector needs distributed_product_mode = 'global' (it is %q): this server takes it only from the user's profile, see deploy/clickhouse-cluster/users.d/ashiato.xml", mode)
	}
	return nil
}

// joinCluster connects the store to the cluster of cfg: a connection to
// the DSN's node with the cluster's settings (clusterSettings), the
// cluster's nodes, and with createDB the database on every node.
func (s *Store) joinCluster(ctx context.Context, opt *clickhouse.Options, cfg Config, createDB bool) error {
	opt.Settings = clusterSettings(s.Version)
	conn, err := clickhouse.Open(opt)
	if err == nil {
		if err = checkProductMode(ctx, conn); err != nil {
			conn.Close()
		}
	}
	if err != nil {
		return fmt.Errorf("connect to clickhouse cluster %s: %w", cfg.Cluster, err)
	}
	s.Conn, s.insertLocal = conn, cfg.InsertLocal
	if s.cluster, err = openCluster(ctx, conn, opt, cfg.Cluster); err != nil {
		conn.Close()
		return err
	}
	if createDB {
		if err := s.createDatabase(ctx); err != nil {
			s.Close()
			return err
		}
	}
	return nil
}

// openCluster finds the nodes of cluster name from the server of conn and
// whether it can run DDL ON CLUSTER, and connects to the other nodes when
// it cannot.
func openCluster(ctx context.Context, conn driver.Conn, opt *clickhouse.Options, name string) (*cluster, error) {
	// is_local describes a shard on ClickHouse 18.16 (a shard with this
	// node as its first replica shows is_local = 1 on every replica): only
	// a first replica counts as this node.
	rows, err := conn.Query(ctx, "SELECT DISTINCT host_address, port, is_local AND replica_num = 1 FROM system.clusters WHERE cluster = ?", name)
	if err != nil {
		return nil, fmt.Errorf("read cluster %s: %w", name, err)
	}
	var remote []string
	found := false
	for rows.Next() {
		var host string
		var port uint16
		var local uint8
		if err := rows.Scan(&host, &port, &local); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read cluster %s: %w", name, err)
		}
		found = true
		if local == 0 {
			remote = append(remote, net.JoinHostPort(host, strconv.Itoa(int(port))))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read cluster %s: %w", name, err)
	}
	if !found {
		return nil, fmt.Errorf("cluster %s is not in system.clusters of the server (remote_servers, deploy/clickhouse-cluster)", name)
	}
	c := &cluster{}
	var n uint64
	c.onCluster = conn.QueryRow(ctx, "SELECT count() FROM system.zookeeper WHERE path = '/'").Scan(&n) == nil
	if c.onCluster {
		return c, nil
	}
	for _, addr := range remote {
		o := *opt
		o.Addr = []string{addr}
		o.Auth.Database = "default"
		nc, err := clickhouse.Open(&o)
		if err == nil {
			err = nc.Ping(ctx)
		}
		if err != nil {
			c.close()
			return nil, fmt.Errorf("connect to node %s of cluster %s: %w", addr, name, err)
		}
		c.nodes, c.addrs = append(c.nodes, nc), append(c.addrs, addr)
	}
	return c, nil
}

func (c *cluster) close() {
	for _, n := range c.nodes {
		n.Close()
	}
}

// createDatabase creates the database on every node of the cluster.
func (s *Store) createDatabase(ctx context.Context) error {
	q := "CREATE DATABASE IF NOT EXISTS " + s.Dialect.DB
	if s.cluster.onCluster {
		q += " ON CLUSTER " + s.Dialect.Cluster
	}
	if err := s.execNodes(ctx, q); err != nil {
		return fmt.Errorf("create database %s: %w", s.Dialect.DB, err)
	}
	return nil
}

// execNodes runs q on the DSN's node and then on every other node.
func (s *Store) execNodes(ctx context.Context, q string, args ...any) error {
	if err := s.Conn.Exec(ctx, q, args...); err != nil {
		return err
	}
	for i, n := range s.cluster.nodes {
		if err := n.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("on node %s: %w", s.cluster.addrs[i], err)
		}
	}
	return nil
}

// onShards runs the statement that build makes of a table name on every
// shard and replica of table: build gets "db.table" on one server,
// "db.table_local ON CLUSTER name" with Keeper, or "db.table_local"
// (run on each node) without.
func (s *Store) onShards(ctx context.Context, table string, build func(target string) string, args ...any) error {
	d := s.Dialect
	if d.Cluster == "" {
		return s.Conn.Exec(ctx, build(d.DB+"."+table), args...)
	}
	target := d.DB + "." + table + queries.LocalSuffix
	if s.cluster.onCluster {
		return s.Conn.Exec(ctx, build(target+" ON CLUSTER "+d.Cluster), args...)
	}
	return s.execNodes(ctx, build(target), args...)
}

// Alter runs "ALTER TABLE <table> clause" (a mutation, a partition drop)
// so that it reaches every shard and replica of table.
func (s *Store) Alter(ctx context.Context, table, clause string, args ...any) error {
	return s.onShards(ctx, table, func(t string) string { return "ALTER TABLE " + t + " " + clause }, args...)
}

// queryNodes runs q, which reads a system table of one node, on every
// node and calls scan for each row.
func (s *Store) queryNodes(ctx context.Context, q string, scan func(driver.Rows) error, args ...any) error {
	conns := []driver.Conn{s.Conn}
	if s.cluster != nil {
		conns = append(conns, s.cluster.nodes...)
	}
	for _, c := range conns {
		rows, err := c.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := scan(rows); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// localTable is the name of table's rows on this node: table itself on
// one server, its shard table on a cluster.
func (s *Store) localTable(table string) string {
	if s.Dialect.Cluster == "" {
		return table
	}
	return table + queries.LocalSuffix
}

var (
	createTableRE = regexp.MustCompile(`^CREATE TABLE IF NOT EXISTS (\w+)\.(\w+)\s`)
	createViewRE  = regexp.MustCompile(`^CREATE MATERIALIZED VIEW IF NOT EXISTS \w+\.\w+\s`)
	viewTablesRE  = regexp.MustCompile(`\b(TO|FROM) (\w+)\.(\w+)\b`)
)

// applyDDL runs a schema statement (rendered for one server) on the
// cluster: a table becomes <name>_local on every node and <name> a
// Distributed table over them (sharding key from queries.ShardingKeys); a
// materialized view reads and writes the shard tables of its node; any
// other statement (a backfill) runs once, through the Distributed tables.
func (s *Store) applyDDL(ctx context.Context, stmt string) error {
	d := s.Dialect
	if d.Cluster == "" {
		return s.Conn.Exec(ctx, stmt)
	}
	on := ""
	if s.cluster.onCluster {
		on = " ON CLUSTER " + d.Cluster
	}
	run := func(q string) error {
		if s.cluster.onCluster {
			return s.Conn.Exec(ctx, q)
		}
		return s.execNodes(ctx, q)
	}
	if m := createTableRE.FindStringSubmatch(stmt); m != nil {
		db, table := m[1], m[2]
		key, ok := queries.ShardingKeys[table]
		if !ok {
			return fmt.Errorf("table %s has no sharding key (queries/cluster.go)", table)
		}
		local := table + queries.LocalSuffix
		head := "CREATE TABLE IF NOT EXISTS " + db + "." + local + on + " "
		if err := run(head + stmt[len(m[0]):]); err != nil {
			return fmt.Errorf("create %s: %w", local, err)
		}
		dist := fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s.%s%s AS %s.%s ENGINE = Distributed(%s, %s, %s, %s)",
			db, table, on, db, local, d.Cluster, db, local, key)
		if err := run(dist); err != nil {
			return fmt.Errorf("create distributed %s: %w", table, err)
		}
		return nil
	}
	if m := createViewRE.FindString(stmt); m != "" {
		body := viewTablesRE.ReplaceAllString(stmt[len(m):], "${1} ${2}.${3}"+queries.LocalSuffix)
		return run(strings.TrimSpace(m) + on + " " + body)
	}
	return s.Conn.Exec(ctx, stmt)
}
