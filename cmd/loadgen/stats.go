package main

import (
	"slices"
	"strconv"
	"time"
)

// Statuses counts responses by HTTP status.
type Statuses map[string]int

func (s Statuses) add(status int) { s[strconv.Itoa(status)]++ }

func (s Statuses) merge(o Statuses) {
	for k, v := range o {
		s[k] += v
	}
}

// Percentiles summarises a latency sample in milliseconds.
type Percentiles struct {
	N    int     `json:"n"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p99_9"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// Summarise sorts d and returns its percentiles (nearest rank).
func Summarise(d []time.Duration) Percentiles {
	if len(d) == 0 {
		return Percentiles{}
	}
	slices.Sort(d)
	at := func(q float64) float64 {
		i := int(q*float64(len(d))+0.999999) - 1
		return ms(d[min(max(i, 0), len(d)-1)])
	}
	var sum time.Duration
	for _, v := range d {
		sum += v
	}
	return Percentiles{N: len(d), P50: at(0.50), P90: at(0.90), P99: at(0.99), P999: at(0.999),
		Max: ms(d[len(d)-1]), Mean: ms(sum / time.Duration(len(d)))}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
