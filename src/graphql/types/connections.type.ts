import 'reflect-metadata';
import { AccelerometerReading } from './accelerometer-reading.type';
import { connectionTypes } from './connection.type';
import { Customer } from './customer.type';
import { MachineLearningSample } from './machine-learning-sample.type';
import { StepTrainerReading } from './step-trainer-reading.type';

/** The connection types of the schema, created once. */
export const CustomerConnection = connectionTypes(Customer, 'Customer').Connection;
export const AccelerometerReadingConnection = connectionTypes(AccelerometerReading, 'AccelerometerReading', { renderedEdges: true }).Connection;
export const StepTrainerReadingConnection = connectionTypes(StepTrainerReading, 'StepTrainerReading').Connection;
export const MachineLearningSampleConnection = connectionTypes(MachineLearningSample, 'MachineLearningSample', { renderedEdges: true }).Connection;
